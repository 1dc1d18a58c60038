import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentPlan } from '@bud/contracts';
import { componentDefinitionSchema, templateDocumentSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { parseSafeYaml } from '@bud/safe-yaml';
import { contractRagTemplate as ragTemplate } from '../../../test/support/contract-template';
import { makeContext } from '../../../test/support/resolver-fixtures';
import { loadModelCatalog } from '../../services/templates/model-files';
import type { ModelCatalog, Registry } from '.';
import { resolveTemplate } from '.';

const ROOT = join(__dirname, '../../../../..', 'templates');

function seedRegistry(): Registry {
  const dir = join(ROOT, 'components');
  return new Map(
    readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => {
        const d = componentDefinitionSchema.parse(parseSafeYaml(readFileSync(join(dir, n), 'utf8'), n));
        return [d.id, d] as const;
      }),
  );
}

describe('typed contract checks (seed components, templates/models catalog)', () => {
  const registry = seedRegistry();
  const models: ModelCatalog = loadModelCatalog(ROOT);
  const resolve = (parameters: Record<string, unknown>, template = ragTemplate(), withModels = true) =>
    resolveTemplate({
      template: templateDocumentSchema.parse(template),
      registry,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', ...parameters },
      context: makeContext({ gpu_inventory: { 'A100-80GB': 8, L4: 4 } }),
      ...(withModels ? { models } : {}),
    });
  const planOf = (result: ReturnType<typeof resolve>): DeploymentPlan => {
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.plan;
  };
  const errorsOf = (result: ReturnType<typeof resolve>): ErrorDetail[] => {
    if (result.ok) throw new Error(`resolved, expected a refusal: ${JSON.stringify(result.plan.checks)}`);
    return result.errors;
  };

  it('finds the contracts declared on the seed components (a rewrite that drops them fails here)', () => {
    const declared = Object.fromEntries(
      [...registry.values()]
        .filter((d) => Object.keys(d.provides).length + Object.keys(d.requires).length > 0 || d.serves)
        .map((d) => [
          d.id,
          [
            ...Object.entries(d.provides).map(([k, v]) => `provides ${k}: ${v.protocol}`),
            ...Object.entries(d.requires).map(([k, v]) => `requires ${k}: ${v.protocol}`),
            ...(d.serves ? [`serves ${d.serves.kind}`] : []),
          ].join(', '),
        ]),
    );
    expect(declared).toEqual({
      'agent-runtime': 'provides openai_base_url: openai, requires LLM_URL: openai, requires TOOL_SERVER_URL: openapi',
      'chat-ui': 'requires OPENAI_API_BASE_URL: openai',
      qdrant: 'provides url: qdrant',
      'rag-orchestrator':
        'provides url: openai, requires VECTOR_DB_URL: qdrant, requires EMBEDDING_URL: tei-embed, requires RERANKER_URL: tei-rerank, requires LLM_URL: openai',
      redis: 'provides url: redis',
      'tei-embedding': 'provides url: tei-embed, serves embedding',
      'tei-reranker': 'provides url: tei-rerank, provides rerank_url: tei-rerank, serves reranker',
      'tensorrt-llm-endpoint': 'provides openai_base_url: openai',
      'tool-server': 'provides url: openapi',
      'vllm-endpoint': 'provides openai_base_url: openai, serves llm',
    });
  });

  it('passes the defaults and lists each check with its numbers', () => {
    const plan = planOf(resolve({}));
    expect(plan.warnings).toBeUndefined();
    const byKind = (kind: string) => (plan.checks ?? []).filter((c) => c.check === kind).map((c) => `${c.component}: ${c.message}`);
    expect(byKind('protocol')).toEqual([
      'orchestrator: VECTOR_DB_URL ← vector-db.url speaks qdrant',
      'orchestrator: EMBEDDING_URL ← embedding.url speaks tei-embed',
      'orchestrator: LLM_URL ← llm.openai_base_url speaks openai',
      'chat-ui: OPENAI_API_BASE_URL ← orchestrator.url speaks openai',
    ]);
    expect(byKind('embedding_dimension')).toEqual([
      'orchestrator: BAAI/bge-base-en-v1.5 returns 768-dimensional vectors; the collection is created with 768',
    ]);
    expect(byKind('context_window')).toEqual(["llm: 8192 tokens ≤ meta-llama/Llama-3.1-8B-Instruct's maximum of 131072"]);
    // 8.03e9 × 2 bytes + 2 × 32 layers × 8 KV heads × 128 × 2 bytes × 8192 tokens = 16.06 + 1.07 GB; 0.9 × 80 GB.
    expect(byKind('gpu_memory')).toEqual([
      'llm: meta-llama/Llama-3.1-8B-Instruct needs 17.1 GB (weights 16.1 GB in bfloat16 + KV cache 1.1 GB for 8192 tokens); 1 × A100-80GB give 72.0 GB at 90% use',
    ]);
  });

  const refusals: Array<[string, Record<string, unknown>, ErrorDetail]> = [
    [
      'a 70B model on one A100 at 32k context: the smallest GPU count that splits its 8 KV heads evenly and fits (4, not 3)',
      { model_id: 'meta-llama/Llama-3.1-70B-Instruct', context_window: 32768 },
      {
        path: 'parameters.llm_gpu_count',
        message:
          'meta-llama/Llama-3.1-70B-Instruct needs 151.8 GB (weights 141.1 GB in bfloat16 + KV cache 10.7 GB for 32768 tokens) but 1 × A100-80GB give 72.0 GB at 90% use; set llm_gpu_count to 4',
      },
    ],
    [
      'the 8B model at its full context on one L4: two GPUs, or a GPU type that fits (the cluster’s first, then the smallest)',
      { context_window: 131072, gpu_type: 'L4' },
      {
        path: 'parameters.llm_gpu_count',
        message:
          'meta-llama/Llama-3.1-8B-Instruct needs 33.2 GB (weights 16.1 GB in bfloat16 + KV cache 17.2 GB for 131072 tokens) but 1 × L4 give 21.6 GB at 90% use; set llm_gpu_count to 2, or set gpu_type to A100-80GB or A100-40GB or L40S',
      },
    ],
    [
      'a context window over the model maximum names the parameter that sets it',
      { context_window: 200000 },
      {
        path: 'parameters.context_window',
        message:
          "a context window of 200000 tokens exceeds meta-llama/Llama-3.1-8B-Instruct's maximum of 131072; set context_window to at most 131072",
      },
    ],
    [
      'a collection dimension that is not the embedding model’s',
      { embedding_dimension: 1024 },
      {
        path: 'parameters.embedding_dimension',
        message:
          'BAAI/bge-base-en-v1.5 (embedding_model) returns 768-dimensional vectors but the collection is created with 1024 (embedding_dimension); set embedding_dimension to 768 or choose an embedding model of dimension 1024',
      },
    ],
    [
      'a larger embedding model with the old dimension',
      { embedding_model: 'BAAI/bge-large-en-v1.5' },
      {
        path: 'parameters.embedding_dimension',
        message:
          'BAAI/bge-large-en-v1.5 (embedding_model) returns 1024-dimensional vectors but the collection is created with 768 (embedding_dimension); set embedding_dimension to 1024 or choose an embedding model of dimension 768',
      },
    ],
  ];
  it.each(refusals)('refuses %s', (_name, parameters, expected) => {
    expect(errorsOf(resolve(parameters))).toEqual([expected]);
  });

  it('reads the last --max-model-len when the engine args repeat it, as vLLM does', () => {
    const template = ragTemplate();
    const withArgs = (engineArgs: string[]) => ({
      ...template,
      components: template.components.map((c: any) =>
        c.config?.engine_args ? { ...c, config: { ...c.config, engine_args: engineArgs } } : c,
      ),
    });
    const errors = errorsOf(
      resolve({ context_window: 200000 }, withArgs(['--max-model-len', '4096', '--max-model-len={{ parameters.context_window }}'])),
    );
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('a context window of 200000 tokens exceeds') })]);
    expect(
      resolve({ context_window: 200000 }, withArgs(['--max-model-len={{ parameters.context_window }}', '--max-model-len', '4096'])).ok,
    ).toBe(true);
  });

  it('counts the weights and KV cache in the --dtype of the engine args', () => {
    const template = ragTemplate();
    const args = ['--max-model-len={{ parameters.context_window }}', '--dtype', 'float32'];
    const withArgs = {
      ...template,
      components: template.components.map((c: any) => (c.config?.engine_args ? { ...c, config: { ...c.config, engine_args: args } } : c)),
    };
    const errors = errorsOf(resolve({ context_window: 131072, gpu_type: 'L4' }, withArgs));
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringContaining('(weights 32.1 GB in float32') })]);
  });

  it('names gpu_type when the template fixes the GPU count and only the type is a parameter', () => {
    const errors = errorsOf(
      resolve({ model_id: 'meta-llama/Llama-3.1-70B-Instruct', context_window: 131072, gpu_type: 'L4' }, ragTemplate({ gpuCount: 8 })),
    );
    expect(errors).toEqual([
      {
        path: 'parameters.gpu_type',
        message:
          'meta-llama/Llama-3.1-70B-Instruct needs 184.1 GB (weights 141.1 GB in bfloat16 + KV cache 42.9 GB for 131072 tokens) but 8 × L4 give 172.8 GB at 90% use; set components[2].gpu_count to 16, or set gpu_type to A100-80GB or A100-40GB or L40S',
      },
    ]);
  });

  it('accepts a matching larger embedding model and dimension, and the 70B model on two A100s at 8k', () => {
    expect(resolve({ embedding_model: 'BAAI/bge-large-en-v1.5', embedding_dimension: 1024 }).ok).toBe(true);
    expect(resolve({ model_id: 'meta-llama/Llama-3.1-70B-Instruct', llm_gpu_count: 2 }).ok).toBe(true);
  });

  it('refuses a protocol mismatch at the input wired wrongly', () => {
    const errors = errorsOf(resolve({}, ragTemplate({ llmEnv: '{{ components.embedding.outputs.url }}' })));
    expect(errors).toEqual([
      {
        path: 'components[3].env.LLM_URL',
        message: 'needs a openai endpoint but embedding.url (tei-embedding) speaks tei-embed',
      },
    ]);
  });

  it('warns, and deploys, when a model is outside the catalog, a GPU type has no known memory, or an output declares no protocol', () => {
    const plan = planOf(
      resolve(
        { model_id: 'mistralai/Mistral-7B-Instruct-v0.3', gpu_type: 'A10G' },
        ragTemplate({ llmEnv: '{{ components.llm.outputs.url }}' }),
      ),
    );
    expect(plan.warnings).toEqual([
      {
        component: 'llm',
        check: 'gpu_memory',
        path: 'components[2].model_id',
        message:
          'model mistralai/Mistral-7B-Instruct-v0.3 is not in the model catalog (templates/models) and config.model_size does not give its size: not checked',
      },
      {
        component: 'orchestrator',
        check: 'protocol',
        path: 'components[3].env.LLM_URL',
        message: 'LLM_URL ← llm.url: vllm-endpoint declares no protocol for output url: not checked',
      },
    ]);
    const unknownGpu = planOf(resolve({ gpu_type: 'A10G' }));
    expect(unknownGpu.warnings?.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'components[2].gpu_type: the memory of a A10G is not known (A100-40GB, A100-80GB, H100-80GB, L4, L40S are): not checked',
    ]);
  });

  describe('a model outside the catalog whose size the user gives (config.model_size)', () => {
    const size = { parameters: '{{ parameters.model_parameters }}', layers: 60, kv_heads: 8, head_dim: 128, max_context: 32768 };
    const outside = { model_id: 'acme/big-model' };

    it('checks it like a catalog model', () => {
      const plan = planOf(resolve(outside, ragTemplate({ modelSize: size })));
      expect(plan.warnings).toBeUndefined();
      // 30e9 × 2 bytes + 2 × 60 × 8 × 128 × 2 bytes × 8192 tokens.
      expect(plan.checks?.find((c) => c.check === 'gpu_memory')?.message).toBe(
        'acme/big-model needs 62.0 GB (weights 60.0 GB in bfloat16 + KV cache 2.0 GB for 8192 tokens); 1 × A100-80GB give 72.0 GB at 90% use',
      );
    });

    it('refuses it when it does not fit, naming the parameter to change', () => {
      expect(errorsOf(resolve({ ...outside, model_parameters: 40_000_000_000 }, ragTemplate({ modelSize: size })))).toEqual([
        {
          path: 'parameters.llm_gpu_count',
          message:
            'acme/big-model needs 82.0 GB (weights 80.0 GB in bfloat16 + KV cache 2.0 GB for 8192 tokens) but 1 × A100-80GB give 72.0 GB at 90% use; set llm_gpu_count to 2',
        },
      ]);
      expect(errorsOf(resolve({ ...outside, context_window: 65536 }, ragTemplate({ modelSize: size })))[0].path).toBe(
        'parameters.context_window',
      );
    });

    it('refuses an incomplete or invalid size, naming the field', () => {
      expect(errorsOf(resolve(outside, ragTemplate({ modelSize: { parameters: 7_000_000_000, max_context: 8192 } })))).toEqual([
        {
          path: 'components[2].config.model_size',
          message: 'must give layers, kv_heads, head_dim for acme/big-model, a model outside the catalog',
        },
      ]);
      const invalid = errorsOf(resolve(outside, ragTemplate({ modelSize: { ...size, layers: -1, quantization: 'awq' } })));
      expect(invalid.map((e) => e.path).sort()).toEqual(['components[2].config.model_size', 'components[2].config.model_size.layers']);
    });
  });

  describe('the system templates, at their defaults with a catalog model', () => {
    const systemDir = join(ROOT, 'system');
    const files = readdirSync(systemDir).flatMap((category) =>
      readdirSync(join(systemDir, category))
        .filter((n) => n.endsWith('.yaml'))
        .map((n) => join(systemDir, category, n)),
    );
    const sample: Readonly<Record<string, unknown>> = { model_ref: 'meta-llama/Llama-3.1-8B-Instruct', secret: 'sample-secret' };
    it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s passes every contract check that applies', (_name, file) => {
      const template = templateDocumentSchema.parse(parseSafeYaml(readFileSync(file, 'utf8'), file));
      const parameters = Object.fromEntries(
        template.parameters.filter((p) => p.required && p.default === undefined).map((p) => [p.name, sample[p.type] ?? 'x']),
      );
      const result = resolveTemplate({ template, registry, parameters, context: makeContext(), models });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const kinds = new Set((result.plan.checks ?? []).map((c) => c.check));
      // Every template serves an LLM from the catalog; a RAG template also embeds into a collection.
      expect(kinds.has('gpu_memory')).toBe(true);
      if (template.category === 'rag') expect(kinds.has('embedding_dimension')).toBe(true);
    });
  });

  it('runs no contract checks without a catalog (the plan has neither checks nor warnings)', () => {
    const plan = planOf(resolve({ context_window: 200000 }, ragTemplate(), false));
    expect(plan.checks).toBeUndefined();
    expect(plan.warnings).toBeUndefined();
  });
});
