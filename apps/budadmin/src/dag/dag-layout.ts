/** A component of a deployment or plan, as the DAG view needs it. */
export interface DagNode {
  id: string;
  label: string;
  wave: number;
  dependsOn: string[];
  status?: string;
  detail?: string;
}

export interface PlacedNode extends DagNode {
  x: number;
  y: number;
}

export interface DagEdge {
  from: string;
  to: string;
  path: string;
}

export interface DagLayout {
  nodes: PlacedNode[];
  edges: DagEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 56;
const COLUMN_GAP = 80;
const ROW_GAP = 24;
const MARGIN = 16;

/**
 * Columns by wave (dependencies on the left), rows in id order within a wave; an edge per
 * dependency, a smooth curve from the dependency's right side to the dependent's left side.
 */
export function layoutDag(input: DagNode[]): DagLayout {
  const waves = [...new Set(input.map((n) => n.wave))].sort((a, b) => a - b);
  const column = new Map(waves.map((wave, index) => [wave, index]));
  const rowsOf = new Map<number, DagNode[]>();
  for (const node of [...input].sort((a, b) => a.id.localeCompare(b.id))) {
    const rows = rowsOf.get(node.wave) ?? [];
    rows.push(node);
    rowsOf.set(node.wave, rows);
  }
  const nodes: PlacedNode[] = [];
  for (const [wave, rows] of rowsOf) {
    rows.forEach((node, row) =>
      nodes.push({ ...node, x: MARGIN + column.get(wave)! * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + row * (NODE_HEIGHT + ROW_GAP) }),
    );
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: DagEdge[] = [];
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      const from = byId.get(dependency);
      if (!from) continue;
      const x1 = from.x + NODE_WIDTH;
      const y1 = from.y + NODE_HEIGHT / 2;
      const x2 = node.x;
      const y2 = node.y + NODE_HEIGHT / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      edges.push({ from: from.id, to: node.id, path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}` });
    }
  }
  const tallest = Math.max(0, ...[...rowsOf.values()].map((rows) => rows.length));
  return {
    nodes,
    edges,
    width: MARGIN * 2 + Math.max(0, waves.length * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP),
    height: MARGIN * 2 + Math.max(0, tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP),
  };
}
