// The Phase 4 agent templates do their job: the agent runtime's pipeline file, rendered exactly as a deployment
// renders it (budusecases' resolver plans, then completes each job in wave order with the outputs budcluster
// reports for the jobs before it), runs with the real LangGraph / CrewAI (test/usecases/agents-requirements.txt,
// a venv of its own) against the real mcpo serving the real MCP time server (the tool server's rendered config),
// and a stand-in OpenAI-compatible LLM that answers with a tool call. agent_harness.py describes the wiring.
import { execFile, execFileSync } from 'node:child_process';
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
const MODEL = 'Qwen/Qwen2.5-7B-Instruct';
const REQUIREMENTS = join(__dirname, 'agents-requirements.txt');

const load = (file: string): unknown => parseSafeYaml(readFileSync(file, 'utf8'), relative(TEMPLATES, file));
const registry: Registry = new Map(
  readdirSync(join(TEMPLATES, 'components'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const definition = componentDefinitionSchema.parse(load(join(TEMPLATES, 'components', f)));
      return [definition.id, definition] as const;
    }),
);

function template(id: string): TemplateDocument {
  const result = validateTemplate(load(join(TEMPLATES, 'system/agent', `${id}.yaml`)), registry);
  if (!result.ok) throw new Error(`${id}: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** What budusecases sends budcluster for each component: plan, then complete in wave order from reported outputs. */
function deploy(templateId: string, parameters: Record<string, unknown>): Map<string, CreateJobRequest> {
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
  return jobs;
}

interface Recorded {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
  status: number;
  answer: unknown;
}
interface HarnessResult {
  question: string;
  answer?: string;
  error?: string;
  pipelines?: string[];
  frontmatter?: Record<string, string>;
  start_requirements?: string[];
  not_in_venv?: string[];
  requests: Recorded[];
  mcpo_log: string;
}

function runHarness(agent: CreateJobRequest, tools: CreateJobRequest | undefined): Promise<HarnessResult> {
  const work = mkdtempSync(join(tmpdir(), 'bud-agent-'));
  writeFileSync(join(work, 'agent.json'), JSON.stringify(agent));
  if (tools) writeFileSync(join(work, 'tools.json'), JSON.stringify(tools));
  const python = join(process.env['BUD_PYTHON_AGENTS_VENV'] as string, 'bin', 'python');
  return new Promise((resolve, reject) => {
    execFile(
      python,
      [join(__dirname, 'agent_harness.py'), join(work, 'agent.json'), tools ? join(work, 'tools.json') : '-', work],
      { cwd: __dirname, timeout: 150_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(work, { recursive: true, force: true });
        if (error) return reject(new Error(`agent_harness.py failed: ${error.message}\n${stderr}`));
        const result = JSON.parse(stdout) as HarnessResult;
        if (result.error) return reject(new Error(`${result.error}\n--- mcpo log ---\n${result.mcpo_log}`));
        resolve(result);
      },
    );
  });
}

const envOf = (spec: JobSpec): Record<string, string> => (spec.kind === 'helm' ? {} : { ...spec.env, ...spec.secret_env });
const pins = (): string[] =>
  readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
const toolNames = (r: Recorded): string[] =>
  ((r.body?.['tools'] as Array<{ function: { name: string } }> | undefined) ?? []).map((t) => t.function.name);
const llmCalls = (result: HarnessResult, llmUrl: string): Recorded[] =>
  result.requests.filter((r) => r.url === `${llmUrl}/chat/completions`);

beforeAll(() => {
  // The agent libraries' own venv: BUD_PYTHON_AGENTS_VENV (CI sets it), else .ci/python-venv.sh makes or reuses it.
  process.env['BUD_PYTHON_AGENTS_VENV'] ??= execFileSync('bash', [join(ROOT, '.ci/python-venv.sh'), REQUIREMENTS], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}, 600_000);

/** The shared proof for an agent template whose pipeline calls the mcpo time tool once and answers with its result. */
function provesToolRoundTrip(templateId: string, parameters: Record<string, unknown>, pinned: string[], imageCompat: string[] = []) {
  const jobs = deploy(templateId, { model_id: MODEL, tools_enabled: ['time'], ...parameters });
  const agent = jobs.get('agent') as CreateJobRequest;
  const tools = jobs.get('tools') as CreateJobRequest;
  const env = envOf(agent.spec);
  const namespace = makeContext().deployment.namespace;
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(agent, tools);
  });

  it('renders the agent runtime wired to the LLM and the tool server by the URLs budcluster reports', () => {
    expect(env).toMatchObject({
      LLM_URL: `http://llm.${namespace}.svc.cluster.local:8000/v1`,
      LLM_MODEL: MODEL,
      TOOL_SERVER_URL: `http://tools.${namespace}.svc.cluster.local:8000`,
      TOOLS_ENABLED: '["time"]',
    });
  });

  it('installs before the server starts exactly the pinned libraries the suite runs it with, none from the front matter', () => {
    expect(result.pipelines).toHaveLength(1);
    expect(env['PIPELINES_REQUIREMENTS_PATH']).toBe('/opt/bud/agent-requirements.txt');
    const files = agent.spec.kind === 'container' ? (agent.spec.files ?? []) : [];
    expect(files.map((f) => f.path)).toContain(env['PIPELINES_REQUIREMENTS_PATH']);
    expect([...(result.start_requirements ?? [])].sort()).toEqual(
      [...pins().filter((p) => pinned.some((name) => p.startsWith(`${name}==`))), ...imageCompat].sort(),
    );
    // Everything else the pod installs is what the suite runs with; only the image-compatibility pins differ.
    expect(result.not_in_venv).toEqual(imageCompat);
    // Pipelines' main.py would pip-install these inside the running server, over the image's pydantic.
    expect(result.frontmatter?.['requirements']).toBeUndefined();
  });

  it('offers the model the enabled mcpo tools, calls the time tool through the real mcpo, and answers with its result', () => {
    const llm = llmCalls(result, env['LLM_URL']);
    expect(llm.length).toBeGreaterThanOrEqual(2);
    for (const r of llm) expect(r.body?.['model']).toBe(MODEL);
    expect(toolNames(llm[0])).toEqual(expect.arrayContaining([expect.stringMatching(/get_current_time$/)]));
    const toolCalls = result.requests.filter((r) => r.url === `${env['TOOL_SERVER_URL']}/time/get_current_time`);
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]).toMatchObject({ method: 'POST', status: 200, body: { timezone: 'UTC' } });
    // The real MCP time server's answer, e.g. {"timezone":"UTC","datetime":"2026-11-29T08:56:35+00:00","is_dst":false}.
    const datetime = (toolCalls[0].answer as { datetime: string }).datetime;
    expect(datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    // The result went back to the model, and the pipeline's answer carries it.
    expect(llm.some((r) => JSON.stringify(r.body?.['messages']).includes(datetime))).toBe(true);
    expect(result.answer).toContain(datetime);
    // Nothing else was called: the LLM and the tool server only.
    const allowed = (r: Recorded) => r.url.startsWith(env['LLM_URL']) || r.url.startsWith(env['TOOL_SERVER_URL']);
    expect(result.requests.filter((r) => !allowed(r))).toEqual([]);
  });

  return { env: () => env, result: () => result, jobs };
}

describe('langgraph-agent-v1 with the real LangGraph and mcpo', () => {
  const proof = provesToolRoundTrip('langgraph-agent-v1', { system_prompt: 'Answer with the tools.' }, [
    'langgraph',
    'langchain-openai',
    'langchain-core',
  ]);

  it('sends the template system prompt first', () => {
    const first = llmCalls(proof.result(), proof.env()['LLM_URL'])[0];
    expect((first.body?.['messages'] as Array<{ role: string; content: string }>)[0]).toEqual({
      role: 'system',
      content: 'Answer with the tools.',
    });
  });
});

describe('crewai-crew-v1 with the real CrewAI and mcpo', () => {
  // starlette stays at the Pipelines image's 0.37.2 (its FastAPI 0.111 fails on crewai's starlette 1.x); the
  // venv has mcpo's newer one.
  const proof = provesToolRoundTrip('crewai-crew-v1', {}, ['crewai'], ['starlette==0.37.2']);

  it('runs the researcher with the tools, then the writer without them on the researcher findings', () => {
    const llm = llmCalls(proof.result(), proof.env()['LLM_URL']);
    const withTools = llm.filter((r) => toolNames(r).length > 0);
    const writer = llm[llm.length - 1];
    expect(withTools.length).toBeGreaterThanOrEqual(2);
    expect(toolNames(writer)).toEqual([]);
    expect(JSON.stringify(writer.body?.['messages'])).toContain('Writer');
  });

  it('tells CrewAI not to phone home (telemetry, tracing, version check)', () => {
    expect(proof.env()).toMatchObject({
      CREWAI_DISABLE_TELEMETRY: 'true',
      CREWAI_TRACING_ENABLED: 'false',
      CREWAI_DISABLE_VERSION_CHECK: 'true',
    });
  });
});

describe.each([['langgraph-agent-v1'], ['crewai-crew-v1']])('%s with no tools enabled', (templateId) => {
  const jobs = deploy(templateId, { model_id: MODEL, tools_enabled: [] });
  const agent = jobs.get('agent') as CreateJobRequest;
  let result: HarnessResult;

  beforeAll(async () => {
    result = await runHarness(agent, undefined);
  });

  it('deploys no tool server, offers the model no tools and still answers', () => {
    expect(jobs.has('tools')).toBe(false);
    expect(envOf(agent.spec)).toMatchObject({ TOOL_SERVER_URL: '', TOOLS_ENABLED: '[]' });
    const llm = llmCalls(result, envOf(agent.spec)['LLM_URL']);
    expect(llm.length).toBeGreaterThanOrEqual(1);
    expect(llm.flatMap(toolNames)).toEqual([]);
    expect(result.requests.filter((r) => !r.url.includes('/chat/completions'))).toEqual([]);
    expect(result.answer).toContain(result.question);
  });
});
