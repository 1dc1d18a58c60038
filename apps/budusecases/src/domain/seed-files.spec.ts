import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ComponentDefinition, PlannedComponent, TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema, createJobRequestSchema, deploymentPlanSchema } from '@bud/contracts';
import { zodIssuesToDetails } from '@bud/errors';
import type { Registry, ResolveInput } from './resolver';
import { checkComponentDefinition, completeJob, renderComponentOutputs, resolveTemplate, validateTemplate } from './resolver';
import { makeContext } from '../../test/support/resolver-fixtures';
import { parseSafeYaml } from '@bud/safe-yaml';

const ROOT = join(__dirname, '../../../..', 'templates');
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
const load = (file: string): unknown => parseSafeYaml(readFileSync(file, 'utf8'), relative(ROOT, file));

const componentFiles = yamlFiles(join(ROOT, 'components'));
const templateFiles = yamlFiles(join(ROOT, 'system'));

function loadRegistry(): Registry {
  return new Map(
    componentFiles.map((file) => {
      const definition = componentDefinitionSchema.parse(load(file));
      return [definition.id, definition] as const;
    }),
  );
}

// Required parameters without a default get a value of their type, as a user would supply.
const SAMPLE_VALUES: Readonly<Record<string, unknown>> = {
  model_ref: 'meta-llama/Llama-3.1-8B-Instruct',
  secret: 'sample-secret',
  string: 'x',
  integer: 1,
  number: 1,
  boolean: true,
};

function defaultsFor(template: TemplateDocument): Record<string, unknown> {
  return Object.fromEntries(
    template.parameters.filter((p) => p.required && p.default === undefined).map((p) => [p.name, SAMPLE_VALUES[p.type] ?? p.options?.[0]]),
  );
}

function loadTemplates(registry: Registry): Map<string, TemplateDocument> {
  return new Map(
    templateFiles.map((file) => {
      const result = validateTemplate(load(file), registry);
      if (!result.ok) throw new Error(`${relative(ROOT, file)}: ${JSON.stringify(result.errors)}`);
      return [result.value.id, result.value] as const;
    }),
  );
}

describe('seed files', () => {
  const registry = loadRegistry();
  const templates = loadTemplates(registry);

  it('holds the fourteen registry components of docs/design.md#components and the seven system templates (the Phase 4 agent templates among them)', () => {
    expect([...registry.keys()].sort()).toEqual([
      'agent-runtime',
      'chat-ui',
      'chroma',
      'latentbud-endpoint',
      'milvus',
      'qdrant',
      'rag-orchestrator',
      'redis',
      'tei-embedding',
      'tei-reranker',
      'tensorrt-llm-endpoint',
      'tool-server',
      'vllm-endpoint',
      'weaviate',
    ]);
    expect([...templates.keys()].sort()).toEqual([
      'chatbot-memory-v1',
      'crewai-crew-v1',
      'enterprise-rag-v1',
      'langgraph-agent-v1',
      'simple-agent-v1',
      'simple-chatbot-v1',
      'simple-rag-v1',
    ]);
  });

  it.each(componentFiles.map((f) => [relative(ROOT, f), f]))('%s is a valid component named after its file', (_name, file) => {
    const parsed = componentDefinitionSchema.safeParse(load(file));
    expect(parsed.success ? [] : zodIssuesToDetails(parsed.error)).toEqual([]);
    const definition = parsed.data as ComponentDefinition;
    expect(definition.id).toBe(basename(file, '.yaml'));
    expect(checkComponentDefinition(definition)).toEqual([]);
    expect(definition.outputs['url']).toBeDefined();
  });

  it.each(templateFiles.map((f) => [relative(ROOT, f), f]))(
    '%s sits under its category and resolves with default parameters',
    (_name, file) => {
      const template = templates.get(basename(file, '.yaml'));
      expect(template?.category).toBe(basename(dirname(file)));
      const input: ResolveInput = { template: template!, registry, parameters: defaultsFor(template!), context: makeContext() };
      const result = resolveTemplate(input);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(deploymentPlanSchema.safeParse(result.plan).success).toBe(true);
      const planned: PlannedComponent[] = result.plan.waves.flatMap((w) => w.components);
      const outputs: Record<string, Record<string, unknown>> = {};
      for (const c of planned) {
        const job = createJobRequestSchema.safeParse(c.job);
        expect(job.success ? [] : zodIssuesToDetails(job.error, `${c.id}.job`)).toEqual([]);
        // Deploy in wave order: each component's placeholders are filled from the outputs of earlier waves.
        const done = completeJob(c, { parameters: { ...input.parameters }, context: input.context, outputs });
        if (!done.ok) throw new Error(`${c.id}: ${JSON.stringify(done.errors)}`);
        expect(createJobRequestSchema.safeParse(done.value).success).toBe(true);
        expect(JSON.stringify(done.value)).not.toContain('{{');
        const rendered = renderComponentOutputs(registry.get(c.component_ref)!, {
          service: c.id,
          namespace: 'uc-1',
          host: `${c.id}.uc-1.svc.cluster.local`,
          port: 8000,
          url: `http://${c.id}.uc-1.svc.cluster.local:8000`,
        });
        if (!rendered.ok) throw new Error(JSON.stringify(rendered.errors));
        outputs[c.id] = rendered.value;
      }
    },
  );

  it('wires the simple RAG orchestrator to the other three components by their URLs', () => {
    const result = resolveTemplate({
      template: templates.get('simple-rag-v1')!,
      registry,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
      context: makeContext(),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.waves.map((w) => w.components.map((c) => c.id))).toEqual([['vector-db', 'embedding', 'llm'], ['orchestrator']]);
    const orchestrator = result.plan.waves[1].components[0];
    expect(orchestrator.pending.map((p) => p.components)).toEqual([['vector-db'], ['embedding'], ['llm']]);
    expect(result.plan.waves[0].components[0].config).toMatchObject({ persistence: { size: '50Gi' } });
  });

  // How fast is measured by `npm run bench` (resolve.enterprise-rag.*, resolve.fan-in-100.p99_ms), not here.
  it('resolves enterprise-rag-v1 and a 100-component fan-in of its orchestrator into complete plans', () => {
    const enterprise = templates.get('enterprise-rag-v1')!;
    // The six originals plus 94 orchestrators that each read four other components' outputs.
    const orchestrator = enterprise.components.find((c) => c.id === 'orchestrator')!;
    const copies = Array.from({ length: 94 }, (_, i) => ({ ...orchestrator, id: `orchestrator-${i}` }));
    const wide = { ...enterprise, components: [...enterprise.components, ...copies] };
    const planned = [enterprise, wide].map((template) => {
      const result = resolveTemplate({
        template,
        registry,
        parameters: { model_id: 'meta-llama/Llama-3.1-70B-Instruct' },
        context: makeContext(),
      });
      return result.ok ? result.plan.total.components : result.errors;
    });
    expect(planned).toEqual([6, 100]);
  });
});
