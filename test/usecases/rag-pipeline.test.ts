// simple-rag-v1 and enterprise-rag-v1 do their job: the orchestrator's files, rendered exactly as a deployment
// renders them (budusecases' resolver plans, then completes each job in wave order with the outputs budcluster
// reports for the jobs before it), run with the real Hayhooks and Haystack (test/usecases/requirements.txt).
// Three documents are indexed and a question asked; the model servers are stand-ins written for this test
// (stand_ins.py: OpenAI-compatible chat and TEI embed/rerank, reached through HTTP_PROXY at the rendered URLs,
// recording every request). Qdrant runs in its local mode: no Qdrant server can run here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ComponentDefinition, CreateJobRequest, JobSpec, TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema } from '@bud/contracts';
import { parseSafeYaml } from '@bud/safe-yaml';
import type { Registry } from '../../apps/budusecases/src/domain/resolver';
import {
  completeJob,
  renderComponentOutputs,
  resolveParameters,
  resolveTemplate,
  validateTemplate,
} from '../../apps/budusecases/src/domain/resolver';
import { makeContext } from '../../apps/budusecases/test/support/resolver-fixtures';
import { serviceOutputs } from '../../apps/budcluster/src/domain/manifests/outputs';
import type { JobModel } from '../../apps/budcluster/src/domain/job-model';

const ROOT = join(__dirname, '../..');
const TEMPLATES = join(ROOT, 'templates');
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
const load = (file: string): unknown => parseSafeYaml(readFileSync(file, 'utf8'), relative(TEMPLATES, file));

const registry: Registry = new Map(
  yamlFiles(join(TEMPLATES, 'components')).map((file) => {
    const definition = componentDefinitionSchema.parse(load(file));
    return [definition.id, definition] as const;
  }),
);

function template(id: string): TemplateDocument {
  const result = validateTemplate(load(join(TEMPLATES, 'system/rag', `${id}.yaml`)), registry);
  if (!result.ok) throw new Error(`${id}: ${JSON.stringify(result.errors)}`);
  return result.value;
}

interface Deployed {
  jobs: Map<string, CreateJobRequest>;
  outputs: Record<string, Record<string, unknown>>;
}

/** What budusecases sends budcluster for each component: plan, then complete in wave order from reported outputs. */
function deploy(templateId: string, parameters: Record<string, unknown>): Deployed {
  const doc = template(templateId);
  const context = makeContext();
  const result = resolveTemplate({ template: doc, registry, parameters, context });
  if (!result.ok) throw new Error(`${templateId}: ${JSON.stringify(result.errors)}`);
  const values = resolveParameters(doc.parameters, parameters).values;
  const jobs = new Map<string, CreateJobRequest>();
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const wave of result.plan.waves) {
    for (const component of wave.components) {
      const done = completeJob(component, { parameters: values, context, outputs });
      if (!done.ok) throw new Error(`${component.id}: ${JSON.stringify(done.errors)}`);
      jobs.set(component.id, done.value);
      // budcluster's own rule for where a service job listens (its resource name here is the component id).
      const reported = serviceOutputs({
        id: component.id,
        jobType: 'service',
        spec: done.value.spec,
        resources: done.value.resources,
        namespace: context.deployment.namespace,
        resourceName: component.id,
      } as unknown as JobModel);
      const rendered = renderComponentOutputs(registry.get(component.component_ref) as ComponentDefinition, reported);
      if (!rendered.ok) throw new Error(JSON.stringify(rendered.errors));
      outputs[component.id] = rendered.value;
    }
  }
  return { jobs, outputs };
}

type Call = [number, unknown];
interface Recorded {
  method: string;
  url: string;
  body: Record<string, unknown>;
}
interface HarnessResult {
  pipelines?: string[];
  index?: Call;
  ask?: Call;
  chat?: Call;
  upload?: Call;
  ask_upload?: Call;
  error?: string;
  requests: Recorded[];
  question: string;
  log: string;
}

function runHarness(job: CreateJobRequest, servedModel = 'stand-in/served-model'): Promise<HarnessResult> {
  const work = mkdtempSync(join(tmpdir(), 'bud-rag-'));
  writeFileSync(join(work, 'job.json'), JSON.stringify(job));
  const python = join(process.env['BUD_PYTHON_VENV'] as string, 'bin', 'python');
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [join(__dirname, 'rag_harness.py'), join(work, 'job.json'), work],
      { cwd: __dirname, timeout: 150_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, STAND_IN_SERVED_MODEL: servedModel } },
      (error, stdout, stderr) => {
        rmSync(work, { recursive: true, force: true });
        if (error) return reject(new Error(`rag_harness.py failed: ${error.message}\n${stderr}`));
        const result = JSON.parse(stdout) as HarnessResult;
        if (result.error) return reject(new Error(`${result.error}\n--- hayhooks log ---\n${result.log}`));
        resolve(result);
      },
    );
  });
}

const envOf = (spec: JobSpec): Record<string, string> => (spec.kind === 'helm' ? {} : { ...spec.env, ...spec.secret_env });
const body = (call: Call | undefined): Record<string, unknown> => {
  if (!call || call[0] !== 200) throw new Error(`expected 200, got ${JSON.stringify(call)}`);
  return call[1] as Record<string, unknown>;
};
const answerOf = (call: Call | undefined): { answer: string; sources: Array<{ content: string }> } =>
  body(call)['result'] as { answer: string; sources: Array<{ content: string }> };
const chatAnswer = (call: Call | undefined): string =>
  (body(call)['choices'] as Array<{ message: { content: string } }>)[0].message.content;
/** The passages numbered [1], [2], ... in the system prompt the LLM was sent. */
const passagesSent = (r: Recorded): number => {
  const system = (r.body['messages'] as Array<{ role: string; content: string }>).find((m) => m.role === 'system')?.content ?? '';
  return (system.match(/^\[\d+\] /gm) ?? []).length;
};

/** The pins in test/usecases/requirements.txt, which the component's start command must install too. */
function requirementPins(): string[] {
  return readFileSync(join(__dirname, 'requirements.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('the rag-orchestrator component', () => {
  it('installs at start exactly the pinned libraries the tests run, on the hayhooks image of the same release', () => {
    const orchestrator = registry.get('rag-orchestrator') as ComponentDefinition;
    const command = (orchestrator.default_command ?? []).join(' ');
    const installed = command.match(/[a-z][a-z0-9-]*==[0-9][^\s]*/g) ?? [];
    expect(installed.sort()).toEqual(requirementPins().sort());
    const hayhooks = requirementPins().find((p) => p.startsWith('hayhooks=='));
    expect(`${orchestrator.image}:${orchestrator.image_tag}`).toBe(`deepset/hayhooks:v${hayhooks?.split('==')[1]}`);
    expect(command).toMatch(/&& exec hayhooks run --host 0\.0\.0\.0$/);
  });
});

describe('simple-rag-v1 with the real Haystack and Hayhooks', () => {
  const deployed = deploy('simple-rag-v1', { model_id: MODEL, top_k: 2 });
  const orchestrator = deployed.jobs.get('orchestrator') as CreateJobRequest;
  const env = envOf(orchestrator.spec);
  const namespace = makeContext().deployment.namespace;
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(orchestrator);
  });

  it('renders the orchestrator wired to the components by the URLs budcluster reports', () => {
    expect(orchestrator.spec.kind).toBe('container');
    expect(env).toMatchObject({
      VECTOR_DB_URL: `http://vector-db-qdrant.${namespace}.svc.cluster.local:6333`,
      EMBEDDING_URL: `http://embedding.${namespace}.svc.cluster.local:80`,
      LLM_URL: `http://llm.${namespace}.svc.cluster.local:8000/v1`,
      LLM_MODEL: MODEL,
      RAG_TOP_K: '2',
      EMBEDDING_DIM: '768',
      HAYHOOKS_PIPELINES_DIR: '/opt/pipelines',
      HAYHOOKS_ADDITIONAL_PYTHON_PATH: '/opt/custom_components',
    });
    const files = orchestrator.spec.kind === 'container' ? (orchestrator.spec.files ?? []) : [];
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['/opt/custom_components/bud_rag.py', '0444'],
      ['/opt/pipelines/rag/pipeline_wrapper.py', '0444'],
      ['/opt/pipelines/rag_indexing/pipeline_wrapper.py', '0444'],
    ]);
  });

  it('deploys both pipelines, indexes the three documents and answers from them', () => {
    expect(result.pipelines).toEqual(['rag', 'rag_indexing']);
    expect(body(result.index)).toEqual({ result: { documents_written: 3 } });
    const asked = answerOf(result.ask);
    expect(asked.answer).toContain("Bud Foundry's capital city is Lumen");
    expect(asked.sources).toHaveLength(2);
    expect(chatAnswer(result.chat)).toContain("Bud Foundry's capital city is Lumen");
    // A file uploaded the OpenAI way (Open WebUI's route) is indexed and answers the next question.
    expect(body(result.upload)).toMatchObject({ object: 'file', filename: 'library.txt', status: 'processed' });
    expect(answerOf(result.ask_upload).answer).toContain('lends its telescope to students every Thursday evening');
  });

  it('calls the LLM at the rendered URL with the template model and the top-k passages', () => {
    const llm = result.requests.filter((r) => r.url.includes('/chat/completions'));
    expect(llm).toHaveLength(3);
    for (const r of llm) {
      expect(r.url).toBe(`${env['LLM_URL']}/chat/completions`);
      expect(r.body['model']).toBe(MODEL);
      expect(passagesSent(r)).toBe(2);
    }
  });

  it('embeds documents and questions at the rendered TEI URL, and calls nothing else', () => {
    const embeddingUrl = new URL(env['EMBEDDING_URL']).href;
    const embeds = result.requests.filter((r) => r.url === embeddingUrl);
    const texts = embeds.flatMap((r) => (Array.isArray(r.body['inputs']) ? (r.body['inputs'] as string[]) : [r.body['inputs'] as string]));
    expect(texts).toEqual(expect.arrayContaining([result.question, expect.stringContaining('capital city is Lumen')]));
    expect(result.requests.filter((r) => r.url !== embeddingUrl && !r.url.includes('/chat/completions'))).toEqual([]);
  });
});

describe('enterprise-rag-v1 with the real Haystack and Hayhooks', () => {
  const parameters = {
    model_id: MODEL,
    gpu_type: 'H100-80GB',
    context_window: 16384,
    replication_factor: 2,
    top_k: 3,
    rerank_top_k: 2,
    hf_token: 'hf_secret_for_test',
  };
  const deployed = deploy('enterprise-rag-v1', parameters);
  const orchestrator = deployed.jobs.get('orchestrator') as CreateJobRequest;
  const env = envOf(orchestrator.spec);
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(orchestrator);
  });

  it('wires the seed parameters: GPU type and context window to vLLM, replication to Qdrant and the collection', () => {
    const llm = deployed.jobs.get('llm') as CreateJobRequest;
    expect(llm.resources.gpu_type).toBe('H100-80GB');
    expect(llm.spec.kind === 'model' ? llm.spec.engine_args : undefined).toEqual(['--max-model-len=16384']);
    const qdrant = deployed.jobs.get('vector-db') as CreateJobRequest;
    expect(qdrant.spec.kind === 'helm' ? qdrant.spec.values['replicaCount'] : undefined).toBe(2);
    expect(env).toMatchObject({ VECTOR_DB_REPLICATION_FACTOR: '2', RAG_TOP_K: '3', RERANK_TOP_K: '2', EMBEDDING_DIM: '1024' });
    expect(env['RERANKER_URL']).toBe(deployed.outputs['reranker']?.['url']);
    const chat = deployed.jobs.get('chat-ui') as CreateJobRequest;
    expect(envOf(chat.spec)['OPENAI_API_BASE_URL']).toBe(`${String(deployed.outputs['orchestrator']?.['url'])}/v1`);
  });

  it('retrieves top_k passages, reranks them with TEI at the rendered URL and sends rerank_top_k to the LLM', () => {
    expect(body(result.index)).toEqual({ result: { documents_written: 3 } });
    expect(answerOf(result.ask).answer).toContain("Bud Foundry's capital city is Lumen");
    expect(chatAnswer(result.chat)).toContain("Bud Foundry's capital city is Lumen");
    const reranks = result.requests.filter((r) => r.url.endsWith('/rerank'));
    expect(reranks.length).toBe(3);
    for (const r of reranks) {
      expect(r.url).toBe(new URL(`${env['RERANKER_URL']}/rerank`).href); // URL drops http's default :80
      expect(r.body['texts']).toHaveLength(3);
    }
    const llm = result.requests.filter((r) => r.url.includes('/chat/completions'));
    expect(llm.map((r) => [r.url, r.body['model'], passagesSent(r)])).toEqual(
      llm.map(() => [`${env['LLM_URL']}/chat/completions`, MODEL, 2]),
    );
  });
});

describe('enterprise-rag-v1 with the reranker off', () => {
  const deployed = deploy('enterprise-rag-v1', { model_id: MODEL, enable_reranker: false, top_k: 2 });
  const orchestrator = deployed.jobs.get('orchestrator') as CreateJobRequest;
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(orchestrator);
  });

  it('deploys no reranker, and the pipeline sends the top_k retrieved passages straight to the LLM', () => {
    expect(deployed.jobs.has('reranker')).toBe(false);
    expect(envOf(orchestrator.spec)['RERANKER_URL']).toBe('');
    expect(answerOf(result.ask).answer).toContain("Bud Foundry's capital city is Lumen");
    expect(result.requests.filter((r) => r.url.endsWith('/rerank'))).toEqual([]);
    const llm = result.requests.filter((r) => r.url.includes('/chat/completions'));
    expect(llm.length).toBe(3);
    expect(llm.map(passagesSent)).toEqual([2, 2, 2]);
  });
});

describe('a rag-orchestrator told no LLM_MODEL (a user template that predates it)', () => {
  const deployed = deploy('simple-rag-v1', { model_id: MODEL });
  const job = structuredClone(deployed.jobs.get('orchestrator') as CreateJobRequest);
  if (job.spec.kind !== 'container') throw new Error('the orchestrator is a container job');
  delete job.spec.env['LLM_MODEL'];
  const llmUrl = job.spec.env['LLM_URL'];
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(job, 'the-served/model');
  });

  it('asks the LLM server which model it serves and uses that one', () => {
    expect(answerOf(result.ask).answer).toContain("Bud Foundry's capital city is Lumen");
    expect(result.requests.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual([`${llmUrl}/models`]);
    const llm = result.requests.filter((r) => r.url.includes('/chat/completions'));
    expect(llm.map((r) => r.body['model'])).toEqual(['the-served/model', 'the-served/model', 'the-served/model']);
  });
});
