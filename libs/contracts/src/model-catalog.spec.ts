import { componentDefinitionSchema } from './component';
import { modelSizeSchema } from './model-catalog';

const vllm = {
  id: 'llm',
  name: 'llm',
  category: 'llm',
  version: '1.0.0',
  deployment_type: 'model',
  model_engine: 'vllm',
  outputs: { url: '{{ url }}', openai_base_url: '{{ url }}/v1' },
};

const issues = (value: unknown): string[] => {
  const parsed = componentDefinitionSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('typed component contracts', () => {
  it('accepts provides on declared outputs, requires on inputs and serves on a model component', () => {
    expect(
      issues({
        ...vllm,
        provides: { openai_base_url: { protocol: 'openai' } },
        requires: { EMBEDDING_URL: { protocol: 'tei-embed', embedding_dimension_from: 'EMBEDDING_DIM' } },
        serves: { kind: 'llm', context_window_arg: '--max-model-len', gpu_memory_fraction: 0.9 },
      }),
    ).toEqual([]);
  });

  const refused: Array<[string, Record<string, unknown>, string]> = [
    [
      'provides naming no output',
      { provides: { grpc_url: { protocol: 'openai' } } },
      'provides.grpc_url: names no output of the component (url, openai_base_url)',
    ],
    ['an unknown protocol', { provides: { url: { protocol: 'soap' } } }, 'provides.url.protocol'],
    [
      'serves on a docker component',
      { deployment_type: 'docker', model_engine: undefined, image: 'x/y', image_tag: '1', serves: { kind: 'llm' } },
      'serves: applies only to a model component',
    ],
    [
      'a context window argument that is not a long option',
      { serves: { kind: 'llm', context_window_arg: 'max-model-len' } },
      'serves.context_window_arg: must be a long option like --max-model-len',
    ],
    ['a memory fraction above 1', { serves: { kind: 'llm', gpu_memory_fraction: 1.5 } }, 'serves.gpu_memory_fraction'],
    [
      'more than 20 requirements',
      { requires: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`IN_${i}`, { protocol: 'http' }])) },
      'requires: must have at most 20 entries',
    ],
  ];
  it.each(refused)('refuses %s', (_name, overrides, expected) => {
    expect(issues({ ...vllm, ...overrides }).some((i) => i.startsWith(expected))).toBe(true);
  });

  it('bounds a user-given model size like the catalog and defaults its dtype to bfloat16', () => {
    expect(modelSizeSchema.parse({ parameters: 7_000_000_000 })).toEqual({ parameters: 7_000_000_000, dtype: 'bfloat16' });
    expect(modelSizeSchema.safeParse({ layers: 0 }).success).toBe(false);
    expect(modelSizeSchema.safeParse({ parameters: 1, vram: 8 }).success).toBe(false);
  });
});
