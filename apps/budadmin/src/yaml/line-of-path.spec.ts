import { lineOfPath, parsePath } from './line-of-path';

const doc = [
  'id: my-rag', // 1
  'name: My RAG', // 2
  'parameters:', // 3
  '  - name: top_k', // 4
  '    type: integer', // 5
  '    min: 1', // 6
  '  - name: model_id', // 7
  '    type: model_ref', // 8
  'components:', // 9
  '  - id: vector-db', // 10
  '    component_ref: qdrant', // 11
  '    config:', // 12
  '      size: 10Gi', // 13
  '  - id: llm', // 14
  '    component_ref: vllm-endpoint', // 15
  '    gpu_count: 1', // 16
  'tags:', // 17
  '- rag', // 18
].join('\n');

describe('parsePath', () => {
  it.each([
    ['components[2].config.size', ['components', 2, 'config', 'size']],
    ['name', ['name']],
    ['env["A.B"]', ['env', 'A.B']],
    ['parameters[0]', ['parameters', 0]],
  ])('%s', (path, segments) => expect(parsePath(path)).toEqual(segments));
});

describe('lineOfPath points at where a server error path is written', () => {
  it.each([
    ['id', 1],
    ['name', 2],
    ['parameters[0]', 4],
    ['parameters[0].name', 4],
    ['parameters[0].min', 6],
    ['parameters[1].type', 8],
    ['components[0].config.size', 13],
    ['components[1]', 14],
    ['components[1].gpu_count', 16],
    ['tags[0]', 18],
    // Unknown parts fall back to the nearest ancestor that exists.
    ['components[1].replicas', 14],
    ['components[7].id', 9],
    ['nothing.here', 1],
  ])('%s → line %d', (path, line) => expect(lineOfPath(doc, path)).toBe(line));

  it('does not confuse a key of one item with the same key in a later item', () => {
    expect(lineOfPath(doc, 'components[0].gpu_count')).toBe(10);
  });
});
