/** @jest-environment jsdom */
import { render } from '@testing-library/react';
import { layoutDag, NODE_WIDTH } from '../dag/dag-layout';
import { DagView } from './DagView';

const rag = [
  { id: 'vector-db', label: 'qdrant', wave: 0, dependsOn: [], status: 'running' },
  { id: 'embedding', label: 'tei-embedding', wave: 0, dependsOn: [], status: 'running' },
  { id: 'llm', label: 'vllm-endpoint', wave: 0, dependsOn: [], status: 'deploying' },
  {
    id: 'orchestrator',
    label: 'rag-orchestrator',
    wave: 1,
    dependsOn: ['vector-db', 'embedding', 'llm'],
    status: 'pending',
    detail: 'waiting for llm',
  },
];

describe('layoutDag', () => {
  it('puts dependencies in columns left of their dependents', () => {
    const { nodes } = layoutDag(rag);
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
    expect(x['vector-db']).toBe(x.llm);
    expect(x.orchestrator).toBeGreaterThan(x.llm + NODE_WIDTH);
  });

  it('never stacks two nodes of a wave on each other', () => {
    const { nodes } = layoutDag(rag);
    const firstWave = nodes.filter((n) => n.wave === 0).map((n) => n.y);
    expect(new Set(firstWave).size).toBe(3);
  });

  it('draws one edge per dependency and ignores references to unknown nodes', () => {
    const { edges } = layoutDag([...rag, { id: 'ui', label: 'chat-ui', wave: 2, dependsOn: ['orchestrator', 'gone'] }]);
    expect(edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual([
      'embedding->orchestrator',
      'llm->orchestrator',
      'orchestrator->ui',
      'vector-db->orchestrator',
    ]);
  });

  it('sizes the drawing to its content, and to nothing when empty', () => {
    expect(layoutDag([])).toMatchObject({ nodes: [], edges: [], width: 32, height: 32 });
    const one = layoutDag([rag[0]]);
    expect(one.width).toBe(32 + NODE_WIDTH);
  });
});

describe('DagView', () => {
  it('renders every component with its status and explanation, and every edge', () => {
    const { container } = render(<DagView nodes={rag} />);
    const nodes = [...container.querySelectorAll('[data-node]')];
    expect(nodes.map((n) => [n.getAttribute('data-node'), n.getAttribute('data-status')])).toEqual(
      expect.arrayContaining([
        ['vector-db', 'running'],
        ['llm', 'deploying'],
        ['orchestrator', 'pending'],
      ]),
    );
    expect(container.querySelector('[data-node="orchestrator"] title')?.textContent).toBe('orchestrator — pending — waiting for llm');
    expect(container.querySelectorAll('[data-edge]')).toHaveLength(3);
  });

  it('colours nodes by status', () => {
    const { container } = render(<DagView nodes={rag} />);
    const fill = (id: string) => container.querySelector(`[data-node="${id}"] rect`)?.getAttribute('fill');
    expect(fill('vector-db')).not.toBe(fill('llm'));
    expect(fill('orchestrator')).not.toBe(fill('vector-db'));
  });
});
