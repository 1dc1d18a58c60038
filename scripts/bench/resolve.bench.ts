import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema, templateDocumentSchema } from '@bud/contracts';
import { repoRoot } from '@bud/testing';
import type { Registry, ResolveContext } from '../../apps/budusecases/src/domain/resolver';
import { resolveTemplate, validateTemplate } from '../../apps/budusecases/src/domain/resolver';
import { loadModelCatalog } from '../../apps/budusecases/src/services/templates/model-files';
import { parseSafeYaml } from '@bud/safe-yaml';
import type { BenchResult } from './stats';
import { median, percentile, repeat, round, summarize } from './stats';

const RUNS = 5;
const RESOLUTIONS_PER_RUN = 2000;
const WARMUP = 300;
const TEMPLATES = join(repoRoot, 'templates');

/** The registry seed (templates/components/*.yaml), as budusecases loads it. */
function loadRegistry(): Registry {
  const dir = join(TEMPLATES, 'components');
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => {
        const definition = componentDefinitionSchema.parse(parseSafeYaml(readFileSync(join(dir, name), 'utf8'), name));
        return [definition.id, definition] as const;
      }),
  );
}

/**
 * 100 components from the registry seed: 20 RAG stacks (qdrant, TEI embeddings, vLLM, orchestrator,
 * chat UI). Each orchestrator fans in three output references, each UI references its orchestrator, and
 * each orchestrator also references the previous stack's orchestrator, so the plan is a 21-wave chain
 * with fan-ins (the worst shape for the DAG and the reference analysis, not a flat list).
 */
function generatedTemplateYaml(stacks = 20): string {
  const components: Array<Record<string, unknown>> = [];
  for (let i = 0; i < stacks; i++) {
    components.push(
      {
        id: `vdb-${i}`,
        component_ref: 'qdrant',
        config: { persistence: { size: '{{ parameters.vector_db_size }}' } },
        resources: { storage: '{{ parameters.vector_db_size }}' },
      },
      {
        id: `emb-${i}`,
        component_ref: 'tei-embedding',
        config: { model_id: '{{ parameters.embedding_model }}' },
        gpu_count: i % 2,
        gpu_type: 'A100-80GB',
      },
      {
        id: `llm-${i}`,
        component_ref: 'vllm-endpoint',
        model_id: '{{ parameters.model_id }}',
        gpu_count: '{{ parameters.llm_gpu_count }}',
        env: { HF_TOKEN: "{{ parameters.hf_token | default('') }}" },
      },
      {
        id: `orch-${i}`,
        component_ref: 'rag-orchestrator',
        env: {
          VECTOR_DB_URL: `{{ components['vdb-${i}'].outputs.url }}`,
          EMBEDDING_URL: `{{ components['emb-${i}'].outputs.url }}`,
          LLM_URL: `{{ components['llm-${i}'].outputs.openai_base_url }}`,
          LLM_MODEL: '{{ parameters.model_id }}',
          ...(i > 0 ? { UPSTREAM_URL: `{{ components['orch-${i - 1}'].outputs.url }}` } : {}),
          COLLECTION_NAME: `{{ deployment.name }}-${i}`,
        },
      },
      {
        id: `ui-${i}`,
        component_ref: 'chat-ui',
        env: { OPENAI_API_BASE_URL: `{{ components['orch-${i}'].outputs.url }}/v1`, WEBUI_NAME: '{{ deployment.name }}' },
      },
    );
  }
  return dump({
    id: 'generated-100-v1',
    name: 'Generated 100-component template',
    category: 'rag',
    version: '1.0.0',
    parameters: [
      { name: 'model_id', type: 'model_ref', required: true },
      { name: 'llm_gpu_count', type: 'integer', default: 1, min: 1, max: 8 },
      { name: 'embedding_model', type: 'string', default: 'BAAI/bge-base-en-v1.5' },
      { name: 'vector_db_size', type: 'enum', default: '50Gi', options: ['10Gi', '50Gi', '100Gi'] },
      { name: 'hf_token', type: 'secret' },
    ],
    components,
  });
}

/**
 * enterprise-rag-v1 and 94 copies of its orchestrator, each reading four other components' outputs:
 * 100 components in one wide fan-in (the shape budusecases' seed-files spec used to time).
 */
function fanInTemplateYaml(enterprise: TemplateDocument): string {
  const orchestrator = enterprise.components.find((c) => c.id === 'orchestrator');
  if (!orchestrator) throw new Error('enterprise-rag-v1 has no orchestrator');
  const copies = Array.from({ length: 94 }, (_, i) => ({ ...orchestrator, id: `orchestrator-${i}` }));
  return dump({ ...enterprise, id: 'fan-in-100-v1', components: [...enterprise.components, ...copies] }, { noRefs: true });
}

function context(): ResolveContext {
  return {
    deployment: { id: '7b1f0c8e-1234-4000-8000-00000000abcd', name: 'bench', namespace: 'uc-7b1f0c8e1234' },
    cluster: {
      id: '11111111-2222-4333-8444-555555555555',
      name: 'bench',
      type: 'simulated',
      ingress_url: null,
      price_table: { gpu_hour: { 'A100-80GB': 2.5, 'H100-80GB': 4 }, vcpu_hour: 0.04, memory_gib_hour: 0.005, storage_gib_month: 0.1 },
      gpu_inventory: { 'A100-80GB': 64, 'H100-80GB': 64 },
      gpu_free: { 'A100-80GB': 64, 'H100-80GB': 64 },
    },
  };
}

/** Per-call latencies (ms) of `work`, `count` times, after a warm-up. */
function latencies(count: number, work: () => void): number[] {
  const samples = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    work();
    samples[i] = performance.now() - started;
  }
  return samples;
}

interface Case {
  name: string;
  yaml: string;
  template: TemplateDocument;
  components: number;
}

/** resolveTemplate + plan in-process (what POST /deployments does after its two budcluster reads). */
export async function benchResolve(): Promise<BenchResult[]> {
  const registry = loadRegistry();
  // With the model catalog the typed contract checks run, as in POST /deployments.
  const models = loadModelCatalog(TEMPLATES);
  if (models.size === 0) throw new Error(`no model catalog under ${TEMPLATES}/models`);
  const ctx = context();
  const parameters = { model_id: 'meta-llama/Llama-3.1-8B-Instruct', hf_token: 'hf_bench' };
  const load = (name: string, yaml: string): Case => {
    const valid = validateTemplate(parseSafeYaml(yaml, name), registry);
    if (!valid.ok) throw new Error(`${name}: ${JSON.stringify(valid.errors)}`);
    const probe = resolveTemplate({ template: valid.value, registry, parameters, context: ctx, models });
    if (!probe.ok) throw new Error(`${name} does not resolve: ${JSON.stringify(probe.errors)}`);
    if (name === 'enterprise-rag-v1' && !probe.plan.checks?.some((c) => c.check === 'gpu_memory'))
      throw new Error(`${name}: the contract checks did not run (${JSON.stringify(probe.plan.warnings)})`);
    return { name, yaml, template: valid.value, components: probe.plan.total.components };
  };
  const enterprise = load('enterprise-rag-v1', readFileSync(join(TEMPLATES, 'system/rag/enterprise-rag-v1.yaml'), 'utf8'));
  const generated = load('generated-100', generatedTemplateYaml());
  if (generated.components !== 100) throw new Error(`the generated template planned ${generated.components} components, not 100`);
  const fanIn = load('fan-in-100', fanInTemplateYaml(enterprise.template));
  if (fanIn.components !== 100) throw new Error(`the fan-in template planned ${fanIn.components} components, not 100`);

  const measure = async (c: Case) => {
    const resolve = () => {
      const result = resolveTemplate({ template: c.template, registry, parameters, context: ctx, models });
      if (!result.ok) throw new Error(`${c.name} stopped resolving`);
    };
    // The floor: parse the same YAML with the bounded parser and validate it with the zod schema.
    const floor = () => {
      templateDocumentSchema.parse(parseSafeYaml(c.yaml, c.name));
    };
    latencies(WARMUP, resolve);
    latencies(WARMUP, floor);
    const p50: number[] = [];
    const p99 = await repeat(RUNS, async () => {
      const samples = latencies(RESOLUTIONS_PER_RUN, resolve);
      p50.push(percentile(samples, 50));
      return percentile(samples, 99);
    });
    const floorP99 = await repeat(RUNS, async () => percentile(latencies(RESOLUTIONS_PER_RUN, floor), 99));
    return { p50, p99, floorP99 };
  };

  const e = await measure(enterprise);
  const g = await measure(generated);
  const f = await measure(fanIn);
  const note = (c: Case, p50: number[]) =>
    `${c.components} components planned; p99 of ${RESOLUTIONS_PER_RUN} resolutions per run, median of ${RUNS} runs (p50 ${round(median(p50))} ms)`;
  const withBaseline = (floor: number[], p99: number[], c: Case) => {
    const floorMedian = round(median(floor));
    return {
      baseline: { name: `js-yaml + zod floor (parseSafeYaml + templateDocumentSchema, ${c.name}) p99 ms`, median: floorMedian },
      ratio: round(median(p99) / floorMedian),
    };
  };
  return [
    summarize('resolve.enterprise-rag.p99_ms', 'ms', e.p99, {
      ...withBaseline(e.floorP99, e.p99, enterprise),
      note: note(enterprise, e.p50),
    }),
    summarize('resolve.enterprise-rag.p50_ms', 'ms', e.p50, { note: `p50 of the same runs` }),
    summarize('resolve.template-100.p99_ms', 'ms', g.p99, { ...withBaseline(g.floorP99, g.p99, generated), note: note(generated, g.p50) }),
    summarize('resolve.fan-in-100.p99_ms', 'ms', f.p99, { ...withBaseline(f.floorP99, f.p99, fanIn), note: note(fanIn, f.p50) }),
  ];
}
