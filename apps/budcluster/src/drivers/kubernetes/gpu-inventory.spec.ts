import { gpuInventoryFromNodes } from './gpu-inventory';

const node = (labels: Record<string, string>, allocatable: Record<string, unknown>, unschedulable = false): unknown => ({
  metadata: { name: 'n', labels },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { allocatable: { cpu: '96', memory: '1Ti', ...allocatable } },
});
const A100 = { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' };
const H100 = { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' };

describe('gpuInventoryFromNodes', () => {
  it.each<{ name: string; nodes: unknown[]; expected: Record<string, number> }>([
    {
      name: 'sums allocatable GPUs per product across nodes',
      nodes: [node(A100, { 'nvidia.com/gpu': '8' }), node(A100, { 'nvidia.com/gpu': '8' }), node(H100, { 'nvidia.com/gpu': '4' })],
      expected: { 'NVIDIA-A100-SXM4-80GB': 16, 'NVIDIA-H100-80GB-HBM3': 4 },
    },
    {
      name: 'a cluster without GPUs has an empty inventory',
      nodes: [node({}, {}), node({ 'kubernetes.io/os': 'linux' }, {})],
      expected: {},
    },
    {
      name: 'a labelled node with no allocatable GPUs (driver not ready) counts nothing',
      nodes: [node(A100, { 'nvidia.com/gpu': '0' }), node(A100, {})],
      expected: {},
    },
    {
      name: 'GPUs on a node without the product label are counted as unknown',
      nodes: [node({}, { 'nvidia.com/gpu': '2' })],
      expected: { unknown: 2 },
    },
    {
      name: 'cordoned nodes take no new work',
      nodes: [node(A100, { 'nvidia.com/gpu': '8' }, true), node(H100, { 'nvidia.com/gpu': '8' })],
      expected: { 'NVIDIA-H100-80GB-HBM3': 8 },
    },
    {
      name: 'unparseable quantities and malformed nodes are skipped',
      nodes: [
        node(A100, { 'nvidia.com/gpu': 'lots' }),
        node(A100, { 'nvidia.com/gpu': '1.5' }),
        null,
        { metadata: {} },
        node(H100, { 'nvidia.com/gpu': 2 }),
      ],
      expected: { 'NVIDIA-H100-80GB-HBM3': 2 },
    },
    {
      name: "a hostile product label never reaches Object.prototype's members, and an odd one counts as unknown",
      nodes: [
        node({ 'nvidia.com/gpu.product': 'constructor' }, { 'nvidia.com/gpu': '4' }),
        node({ 'nvidia.com/gpu.product': '__proto__' }, { 'nvidia.com/gpu': '2' }),
        node({ 'nvidia.com/gpu.product': 'a b' }, { 'nvidia.com/gpu': '1' }),
      ],
      expected: { unknown: 7 },
    },
    {
      name: 'a node claims at most 64 GPUs, and an absurd quantity none',
      nodes: [node(H100, { 'nvidia.com/gpu': '9007199254740991' }), node(H100, { 'nvidia.com/gpu': 1000 })],
      expected: { 'NVIDIA-H100-80GB-HBM3': 64 },
    },
  ])('$name', ({ nodes, expected }) => {
    const inventory = gpuInventoryFromNodes(nodes);
    expect(inventory).toEqual(expected);
    expect(Object.getPrototypeOf(inventory)).toBe(Object.prototype);
  });
});
