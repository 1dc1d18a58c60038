import type { ErrorDetail } from '@bud/errors';

/** node → (dependency → path of the string or depends_on entry that created the edge). */
export type DependencyGraph = ReadonlyMap<string, ReadonlyMap<string, string>>;

export type WavesResult = { ok: true; waves: string[][] } | { ok: false; error: ErrorDetail };

/**
 * Kahn's algorithm level by level: wave n holds the nodes whose dependencies all sit in earlier waves.
 * Nodes keep their input order inside a wave so plans are stable. Linear in nodes + edges.
 */
export function topologicalWaves(nodes: readonly string[], graph: DependencyGraph): WavesResult {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    const deps = graph.get(node) ?? new Map<string, string>();
    remaining.set(node, deps.size);
    for (const dep of deps.keys()) {
      const list = dependents.get(dep);
      if (list) list.push(node);
      else dependents.set(dep, [node]);
    }
  }
  const order = new Map(nodes.map((n, i) => [n, i]));
  const waves: string[][] = [];
  let current = nodes.filter((n) => remaining.get(n) === 0);
  let placed = 0;
  while (current.length > 0) {
    waves.push(current);
    placed += current.length;
    const next: string[] = [];
    for (const node of current) {
      for (const dependent of dependents.get(node) ?? []) {
        const left = (remaining.get(dependent) ?? 0) - 1;
        remaining.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    current = next.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
  if (placed === nodes.length) return { ok: true, waves };
  return { ok: false, error: describeCycle(nodes, graph, remaining) };
}

function describeCycle(nodes: readonly string[], graph: DependencyGraph, remaining: ReadonlyMap<string, number>): ErrorDetail {
  // Every node left over has an unplaced dependency, so walking unplaced edges must revisit a node.
  const start = nodes.find((n) => (remaining.get(n) ?? 0) > 0) as string;
  const seen = new Map<string, number>();
  const walk: string[] = [];
  let node = start;
  while (!seen.has(node)) {
    seen.set(node, walk.length);
    walk.push(node);
    const deps = graph.get(node) ?? new Map<string, string>();
    node = [...deps.keys()].find((d) => (remaining.get(d) ?? 0) > 0) as string;
  }
  const cycle = walk.slice(seen.get(node));
  const first = cycle[0];
  const second = cycle[1] ?? first;
  const path = graph.get(first)?.get(second) ?? 'components';
  return { path, message: `forms a dependency cycle: ${[...cycle, first].join(' → ')}` };
}
