import { NODE_HEIGHT, NODE_WIDTH, layoutDag } from '../dag/dag-layout';
import type { DagNode } from '../dag/dag-layout';

const FILL: Record<string, string> = {
  running: '#d9f7be',
  deploying: '#bae0ff',
  updating: '#bae0ff',
  pending: '#f5f5f5',
  failed: '#ffccc7',
  stopping: '#ffe7ba',
  deleting: '#ffe7ba',
  stopped: '#f0f0f0',
  skipped: '#fafafa',
};

/** The component graph: dependencies left of their dependents, each node coloured by its status. */
export function DagView({ nodes, ariaLabel = 'component graph' }: { nodes: DagNode[]; ariaLabel?: string }) {
  const layout = layoutDag(nodes);
  return (
    <svg
      role="img"
      aria-label={ariaLabel}
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      style={{ maxWidth: '100%' }}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#8c8c8c" />
        </marker>
      </defs>
      {layout.edges.map((edge) => (
        <path
          key={`${edge.from}->${edge.to}`}
          data-edge={`${edge.from}->${edge.to}`}
          d={edge.path}
          fill="none"
          stroke="#8c8c8c"
          strokeWidth={1.5}
          markerEnd="url(#arrow)"
        />
      ))}
      {layout.nodes.map((node) => (
        <g key={node.id} data-node={node.id} data-status={node.status ?? ''} transform={`translate(${node.x},${node.y})`}>
          <title>{[node.id, node.status, node.detail].filter(Boolean).join(' — ')}</title>
          <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} fill={FILL[node.status ?? ''] ?? '#ffffff'} stroke="#595959" />
          <text x={10} y={22} fontSize={13} fontWeight={600}>
            {node.id}
          </text>
          <text x={10} y={42} fontSize={11} fill="#595959">
            {[node.label, node.status].filter(Boolean).join(' · ')}
          </text>
        </g>
      ))}
    </svg>
  );
}
