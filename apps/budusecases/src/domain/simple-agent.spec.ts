import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { CreateJobRequest, TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema } from '@bud/contracts';
import { parseSafeYaml } from '@bud/safe-yaml';
import type { Registry } from './resolver';
import { completeJob, resolveTemplate, validateTemplate } from './resolver';
import { makeContext } from '../../test/support/resolver-fixtures';

/**
 * simple-agent-v1's agent is a Pipelines pipeline file the template mounts into agent-runtime. This renders
 * the template as a deployment would, runs the rendered file with python3 (what Pipelines does: import it,
 * build its Pipeline, call pipe) against a stand-in OpenAI-compatible LLM and a stand-in mcpo, both of which
 * record every request.
 */
const TEMPLATES = join(__dirname, '../../../..', 'templates');
const MODEL = 'Qwen/Qwen2.5-7B-Instruct';
const load = (file: string): unknown => parseSafeYaml(readFileSync(file, 'utf8'), relative(TEMPLATES, file));
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));
const registry: Registry = new Map(
  yamlIn(join(TEMPLATES, 'components')).map((file) => {
    const definition = componentDefinitionSchema.parse(load(file));
    return [definition.id, definition] as const;
  }),
);
const validated = validateTemplate(load(join(TEMPLATES, 'system/agent/simple-agent-v1.yaml')), registry);
if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
const template: TemplateDocument = validated.value;

interface Recorded {
  method: string;
  url: string;
  body: unknown;
}
type Handler = (req: Recorded) => unknown;

async function serve(handler: Handler): Promise<{ server: Server; url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', body: text ? (JSON.parse(text) as unknown) : undefined };
      requests.push(recorded);
      const answer = handler(recorded);
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { detail: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const NOW = { timezone: 'UTC', datetime: '2026-11-29T08:00:00+00:00', is_dst: false };
// What mcpo 0.0.20 serves for mcp-server-time under /time: a POST per tool, its form a $ref.
const TIME_OPENAPI = {
  openapi: '3.1.0',
  paths: {
    '/get_current_time': {
      post: {
        summary: 'Get Current Time',
        description: 'Get current time in a specific timezone',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/get_current_time_form_model' } } } },
      },
    },
  },
  components: {
    schemas: {
      get_current_time_form_model: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
    },
  },
};

type Message = { role: string; content?: string; tool_calls?: unknown[] };
/** The LLM stand-in: asks for the time tool when offered tools and no tool result yet, else answers from what it read. */
function llm(req: Recorded): unknown {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return undefined;
  const body = req.body as { messages: Message[]; tools?: unknown[] };
  const toolResult = body.messages.find((m) => m.role === 'tool');
  if (body.tools && !toolResult) {
    const call = { id: 'call-1', type: 'function', function: { name: 'time__get_current_time', arguments: '{"timezone": "UTC"}' } };
    return { choices: [{ message: { role: 'assistant', content: '', tool_calls: [call] } }] };
  }
  if (!body.tools && body.messages.at(-1)?.content?.startsWith('Write a short numbered plan')) {
    return { choices: [{ message: { role: 'assistant', content: '1. Get the time in UTC.\n2. Say it.' } }] };
  }
  return { choices: [{ message: { role: 'assistant', content: `It is ${toolResult ? String(toolResult.content) : 'unknown'}` } }] };
}
const mcpo = (req: Recorded): unknown => {
  if (req.method === 'GET' && req.url === '/time/openapi.json') return TIME_OPENAPI;
  if (req.method === 'POST' && req.url === '/time/get_current_time') return NOW;
  return undefined;
};

const RUN = [
  'import importlib.util, json, sys',
  "spec = importlib.util.spec_from_file_location('simple_agent', sys.argv[1])",
  'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
  "print(json.dumps(module.Pipeline().pipe('What time is it?', 'simple_agent', [{'role': 'user', 'content': 'What time is it?'}], {})))",
].join('\n');

function renderAgent(parameters: Record<string, unknown>, llmUrl: string, toolsUrl: string): CreateJobRequest {
  const result = resolveTemplate({ template, registry, parameters: { model_id: MODEL, ...parameters }, context: makeContext() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const agent = result.plan.waves.flatMap((w) => w.components).find((c) => c.id === 'agent')!;
  const outputs = { llm: { url: llmUrl, openai_base_url: `${llmUrl}/v1` }, tools: { url: toolsUrl } };
  const done = completeJob(agent, { parameters: result.plan.parameters, context: makeContext(), outputs });
  if (!done.ok) throw new Error(JSON.stringify(done.errors));
  return done.value;
}

function runPipeline(job: CreateJobRequest, dir: string): Promise<string> {
  if (job.spec.kind !== 'container') throw new Error('agent is not a container job');
  const file = job.spec.files?.find((f) => f.path === '/app/pipelines/simple_agent.py');
  if (!file) throw new Error('no pipeline file');
  writeFileSync(join(dir, 'simple_agent.py'), file.content);
  writeFileSync(join(dir, 'run.py'), RUN);
  const env = { PATH: process.env['PATH'] ?? '', ...job.spec.env };
  return new Promise((resolve, reject) => {
    // Asynchronous: the stand-ins answer from this process while python waits on them.
    execFile('python3', [join(dir, 'run.py'), join(dir, 'simple_agent.py')], { env, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as string),
    );
  });
}

describe('simple-agent-v1 runs its rendered pipeline against the LLM and the tool server', () => {
  let dir: string;
  let servers: Array<Awaited<ReturnType<typeof serve>>>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simple-agent-'));
    servers = [await serve(llm), await serve(mcpo)];
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all(servers.map((s) => new Promise((resolve) => s.server.close(resolve))));
  });

  it.each([
    ['react', 2],
    ['function-calling', 2],
    ['plan-and-execute', 3],
  ])('%s: calls the enabled tool through mcpo and its result reaches the answer', async (agentType, llmCalls) => {
    const [model, tools] = servers;
    const job = renderAgent({ tools_enabled: ['time'], agent_type: agentType }, model.url, tools.url);
    const answer = await runPipeline(job, dir);

    expect(answer.startsWith('It is ')).toBe(true);
    expect(JSON.parse(answer.slice('It is '.length))).toEqual(NOW);
    expect(tools.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /time/openapi.json', 'POST /time/get_current_time']);
    expect(tools.requests[1].body).toEqual({ timezone: 'UTC' });
    const asked = model.requests.map((r) => r.body as { model: string; tools?: Array<{ function: { name: string } }> });
    expect(asked.map((b) => b.model)).toEqual(Array.from({ length: llmCalls }, () => MODEL));
    expect(asked.find((b) => b.tools)?.tools?.map((t) => t.function.name)).toEqual(['time__get_current_time']);
    expect(model.requests.every((r) => r.url === '/v1/chat/completions')).toBe(true);
  });

  it('offers no tools and reads no tool server when tools_enabled is empty (the tool server is not deployed)', async () => {
    const [model, tools] = servers;
    const result = resolveTemplate({ template, registry, parameters: { model_id: MODEL, tools_enabled: [] }, context: makeContext() });
    expect(result.ok && result.plan.skipped.map((s) => s.id)).toEqual(['tools']);
    const job = renderAgent({ tools_enabled: [] }, model.url, tools.url);
    expect(job.spec.kind === 'container' && job.spec.env['TOOLS_ENABLED']).toBe('[]');
    expect(await runPipeline(job, dir)).toBe('It is unknown');
    expect(tools.requests).toEqual([]);
    expect((model.requests[0].body as { tools?: unknown }).tools).toBeUndefined();
  });

  it('serves every tool a user may enable from the tool server config', () => {
    const option = template.parameters.find((p) => p.name === 'tools_enabled')?.options;
    const config = JSON.parse(registry.get('tool-server')!.files.find((f) => f.path === '/config/mcpo.json')!.content) as {
      mcpServers: Record<string, unknown>;
    };
    expect(Object.keys(config.mcpServers).sort()).toEqual([...(option ?? [])].sort());
  });
});
