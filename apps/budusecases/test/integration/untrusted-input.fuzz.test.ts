import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { errorCodes } from '@bud/contracts';
import { parseSafeYaml } from '@bud/safe-yaml';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';

/**
 * docs/design.md#bounded-input: untrusted input is bounded. ≥ 10,000 generated template documents, deployment bodies and raw
 * payloads go to the two write routes; every answer must be a 2xx or a well-formed 400/409/422 (never a 5xx,
 * never a dropped connection), every 422 naming the offending field.
 */

const TEMPLATE_CASES = 4600;
const DEPLOYMENT_CASES = 3400;
const RANDOM_CASES = 2200;
const CONCURRENCY = 16;
const BATCH = 200;
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);

const baseTemplate = parseSafeYaml(
  readFileSync(join(__dirname, '../../../..', 'templates/system/rag/simple-rag-v1.yaml'), 'utf8'),
  'simple-rag-v1.yaml',
) as Record<string, any>;

/** A full collection before each memory reading, so the readings compare live memory rather than garbage. */
const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();
const memory = () => (collectGarbage(), process.memoryUsage());

type Route = 'template' | 'deployment';
const ROUTES: Record<Route, string> = { template: '/api/v1/templates', deployment: '/api/v1/deployments?dry_run=true' };

interface Case {
  kind: string;
  route: Route;
  /** A JSON value to send, or raw bytes/text with a content type. */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  /** Statuses beyond 2xx/400/409/422 this input may legitimately earn (e.g. 404 for an unknown cluster). */
  alsoAllowed?: number[];
}

interface Answer {
  status: number;
  body: any;
  text: string;
  ms: number;
}

// ---------------------------------------------------------------------------------------------------------
// generators

const clone = <T>(v: T): T => structuredClone(v);
type Seg = string | number;

/** Every path in a JSON value (root excluded) down to a modest depth, in a stable order; iterative, so deep blobs cannot overflow it. */
function pathsOf(value: unknown, maxDepth = 12): Seg[][] {
  const out: Seg[][] = [];
  const stack: Array<{ node: unknown; path: Seg[] }> = [{ node: value, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: Seg[] };
    if (node === null || typeof node !== 'object' || path.length >= maxDepth) continue;
    const entries: Array<[Seg, unknown]> = Array.isArray(node) ? node.map((v, i): [Seg, unknown] => [i, v]) : Object.entries(node);
    for (const [k, v] of entries.reverse()) {
      out.push([...path, k]);
      stack.push({ node: v, path: [...path, k] });
    }
  }
  return out;
}
const containerPaths = (value: unknown): Seg[][] =>
  [[] as Seg[], ...pathsOf(value)].filter((p) => {
    const v = getAt(value, p);
    return v !== null && typeof v === 'object';
  });
function getAt(root: unknown, path: Seg[]): any {
  let node: any = root;
  for (const s of path) node = node?.[s];
  return node;
}
function setAt(root: any, path: Seg[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') parent[path[path.length - 1] as any] = value;
}
function dropAt(root: any, path: Seg[]): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent !== null && typeof parent === 'object') delete parent[last as string];
}
const pick = <T>(items: T[], n: number): T => items[n % items.length];

/** Beyond this depth a nest is spliced into the JSON text (see `serialize`): too deep for JSON.stringify on this side. */
const OBJECT_NEST_LIMIT = 1000;
const DEEP_MARKER = /"\\u0001deep:(\d+):(array|object)"/g;
function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  if (depth > OBJECT_NEST_LIMIT) return `\u0001deep:${depth}:${asArray ? 'array' : 'object'}`;
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { n: v };
  return v;
}

/** JSON text of a case body, with every deep-nest marker replaced by that many levels of `[` or `{"n":`. */
function serialize(body: unknown): string {
  const text = JSON.stringify(body) ?? 'null';
  return text.replace(DEEP_MARKER, (_m, depth: string, kind: string) =>
    kind === 'array'
      ? `${'['.repeat(Number(depth))}1${']'.repeat(Number(depth))}`
      : `${'{"n":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}`,
  );
}

const TOKENS = [
  'parameters',
  'parameters.model_id',
  'parameters.vector_db_size',
  'parameters.nope',
  '.',
  'components',
  "components['llm']",
  "components['ghost']",
  'components.llm.outputs.url',
  'components.orchestrator.outputs.url',
  '.outputs',
  '.url',
  '.nope',
  '[',
  ']',
  "'",
  '"',
  '`',
  '|',
  'default',
  'default(',
  '(',
  ')',
  'not',
  'and',
  'or',
  '==',
  '!=',
  '<',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '__proto__',
  'constructor',
  'prototype',
  'this',
  'process',
  'require("fs")',
  'deployment.name',
  'deployment.id',
  'deployment.namespace',
  'cluster.gpu_free',
  'cluster.__proto__',
  'cluster',
  '1',
  '-1',
  '0x10',
  '1e309',
  '1.5',
  'true',
  'false',
  'null',
  'undefined',
  '{{',
  '}}',
  '{',
  '}',
  ' ',
  '\n',
  '\\',
  '\u0000',
  'é',
  '😀',
  '${x}',
  'x'.repeat(300),
];
const soupArb = fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 14 }).map((t) => t.join(' '));
const expressionArb = fc
  .tuple(fc.constantFrom('', 'pre-', 'a {{ x }} b '), soupArb, fc.constantFrom('', ' tail', ' }}', '{{'))
  .map(([a, s, b]) => `${a}{{ ${s} }}${b}`);
const oddStringArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'UPPER',
    'has space',
    'a_b',
    '-lead',
    'trail-',
    'x'.repeat(64),
    '..',
    '../etc/passwd',
    '\u0000',
    'Ω',
    '__proto__',
    'constructor',
  ),
);
const keyArb = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'unknown_field',
    'x',
    '',
    ' ',
    '$ref',
    'id',
    'components',
    'revision',
    'is_system',
    'tenant_id',
  ),
  fc.string({ maxLength: 20 }),
);
const typeSoupArb = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 1,
    '',
    'x',
    '1.0.0',
    true,
    false,
    [],
    {},
    [1, 2],
    { a: 1 },
    [null],
    ['x', 1],
  ),
  fc.jsonValue({ maxDepth: 3 }),
  oddStringArb,
);
const UNSAFE_KEYS = [
  'privileged',
  'Privileged',
  'hostNetwork',
  'HOSTPID',
  'hostIPC',
  'allowPrivilegeEscalation',
  'hostPath',
  'hostPort',
  'runAsUser',
  'capabilities',
];
const unsafeValueArb = fc.constantFrom<unknown>(true, 'true', 0, 1, { add: ['NET_ADMIN'] }, { path: '/' }, 8080, false, null);

const templateOps = [
  'drop',
  'insert',
  'wrong_type',
  'huge_string',
  'deep_nesting',
  'expression',
  'unknown_ref',
  'cycle',
  'unsafe_helm',
  'duplicate',
  'odd_string',
] as const;
const mutationArb = fc.record({
  op: fc.constantFrom(...templateOps),
  a: fc.nat(),
  b: fc.nat(),
  key: keyArb,
  value: typeSoupArb,
  expression: expressionArb,
  odd: oddStringArb,
  depth: fc.constantFrom(8, 63, 64, 65, 200, 1000, 5000, 50_000),
  asArray: fc.boolean(),
  length: fc.constantFrom(4097, 65_536, 65_537, 100_000, 300_000),
  unsafeKey: fc.constantFrom(...UNSAFE_KEYS),
  unsafeValue: unsafeValueArb,
  unsafeDepth: fc.nat(6),
});
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutateTemplate(doc: any, m: Mutation): void {
  const paths = pathsOf(doc);
  const components: any[] = Array.isArray(doc.components) ? doc.components.filter((c: any) => c && typeof c === 'object') : [];
  switch (m.op) {
    case 'drop':
      if (paths.length) dropAt(doc, pick(paths, m.a));
      break;
    case 'insert': {
      const target = getAt(doc, pick(containerPaths(doc), m.a));
      if (Array.isArray(target)) target.push(m.value);
      else if (target && typeof target === 'object')
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      break;
    }
    case 'wrong_type':
      if (paths.length) setAt(doc, pick(paths, m.a), m.value);
      break;
    case 'huge_string':
      if (paths.length) setAt(doc, pick(paths, m.a), 'a'.repeat(m.length));
      break;
    case 'deep_nesting':
      if (paths.length) setAt(doc, pick(paths, m.a), nested(m.depth, m.value, m.asArray));
      break;
    case 'expression': {
      const strings = paths.filter((p) => typeof getAt(doc, p) === 'string');
      if (strings.length) setAt(doc, pick(strings, m.a), m.expression);
      else if (components.length) pick(components, m.a).model_id = m.expression;
      break;
    }
    case 'odd_string':
      if (paths.length) setAt(doc, pick(paths, m.a), m.odd);
      break;
    case 'unknown_ref':
      if (components.length) pick(components, m.a).component_ref = m.b % 2 ? `ghost-${m.b % 1000}` : m.odd;
      break;
    case 'cycle':
      if (components.length) {
        const x = pick(components, m.a);
        const y = pick(components, m.b);
        x.depends_on = [...(Array.isArray(x.depends_on) ? x.depends_on : []), y.id];
        y.depends_on = [...(Array.isArray(y.depends_on) ? y.depends_on : []), m.b % 3 === 0 ? 'nobody' : x.id];
        if (m.b % 5 === 0) x.env = { ...(x.env ?? {}), LOOP: `{{ components['${String(y.id)}'].outputs.url }}` };
      }
      break;
    case 'unsafe_helm':
      if (components.length) {
        const c = pick(components, m.a);
        const config = c.config && typeof c.config === 'object' && !Array.isArray(c.config) ? c.config : (c.config = {});
        let node: any = config;
        for (let i = 0; i < m.unsafeDepth; i++) {
          const k = `level${i}`;
          if (i === m.unsafeDepth - 1 && m.b % 2) node = (node[k] = [{}])[0];
          else node = node[k] = {};
        }
        if (m.unsafeKey === 'runAsUser') node.runAsUser = m.b % 3 ? 0 : m.unsafeValue;
        else node[m.unsafeKey] = m.unsafeValue;
      }
      break;
    case 'duplicate':
      // Shallow copies: a mutated component may hold a blob thousands of levels deep, too deep for structuredClone.
      if (components.length && m.b % 2) doc.components.push({ ...pick(components, m.a) });
      else if (Array.isArray(doc.parameters) && doc.parameters.length) {
        const p = pick(doc.parameters as unknown[], m.a);
        doc.parameters.push(p && typeof p === 'object' ? { ...p } : p);
      }
      break;
  }
}

let serial = 0;
const freshSlug = (prefix: string) => `${prefix}-${(serial++).toString(36)}-${randomUUID().slice(0, 6)}`;

const templateCaseArb = fc.record({ mutations: fc.array(mutationArb, { minLength: 0, maxLength: 4 }) });
function templateCases(count: number, seed: number): Case[] {
  return fc.sample(templateCaseArb, { numRuns: count, seed }).map(({ mutations }) => {
    const doc = clone(baseTemplate);
    doc.id = freshSlug('fz');
    doc.name = `Fuzz ${doc.id}`;
    for (const m of mutations) mutateTemplate(doc, m);
    return { kind: `template:${mutations.map((m) => m.op).join('+') || 'valid'}`, route: 'template', body: doc };
  });
}

const deploymentOps = [
  'param_wrong_type',
  'param_unknown',
  'param_huge',
  'param_expression',
  'param_deep',
  'param_drop_required',
  'enum_out_of_range',
  'name',
  'cluster_id',
  'template_id',
  'on_failure',
  'extra_key',
  'project_id',
  'parameters_not_object',
  'drop_field',
  'wrong_type',
] as const;
const deploymentMutationArb = fc.record({
  op: fc.constantFrom(...deploymentOps),
  a: fc.nat(),
  key: keyArb,
  value: typeSoupArb,
  expression: expressionArb,
  name: fc.oneof(
    oddStringArb,
    fc.constantFrom(
      'A',
      'UPPER-case',
      'under_score',
      '-dash',
      'dash-',
      'a'.repeat(41),
      'a'.repeat(40),
      'dot.name',
      'ünï',
      'a b',
      '',
      '0',
      'x--y',
    ),
    fc.stringMatching(/^[a-z0-9-]{0,60}$/),
  ),
  uuid: fc.uuid(),
  depth: fc.constantFrom(10, 64, 65, 1000, 20_000),
  length: fc.constantFrom(300, 65_537, 100_000),
});
type DeploymentMutation = typeof deploymentMutationArb extends fc.Arbitrary<infer M> ? M : never;
const KNOWN_PARAMETERS = ['model_id', 'embedding_model', 'vector_db_size'];

function mutateDeployment(body: any, m: DeploymentMutation, clusterId: string): void {
  const params = body.parameters && typeof body.parameters === 'object' && !Array.isArray(body.parameters) ? body.parameters : null;
  const known = pick(KNOWN_PARAMETERS, m.a);
  switch (m.op) {
    case 'param_wrong_type':
      if (params) params[known] = m.value;
      break;
    case 'param_unknown':
      if (params)
        Object.defineProperty(params, m.key || 'unknown', { value: m.value, enumerable: true, writable: true, configurable: true });
      break;
    case 'param_huge':
      if (params) params[known] = 'm'.repeat(m.length);
      break;
    case 'param_expression':
      if (params) params[known] = m.expression;
      break;
    case 'param_deep':
      if (params) params[known] = nested(m.depth, 'x', m.a % 2 === 0);
      break;
    case 'param_drop_required':
      if (params) delete params.model_id;
      break;
    case 'enum_out_of_range':
      if (params) params.vector_db_size = pick(['1Gi', '50gi', '50Gi ', '', '100Gi\n', '99999Ti'], m.a);
      break;
    case 'name':
      body.name = m.name;
      break;
    case 'cluster_id':
      body.cluster_id = m.a % 3 === 0 ? m.uuid : m.a % 3 === 1 ? clusterId.toUpperCase() : m.value;
      break;
    case 'template_id':
      body.template_id = m.a % 2 ? `ghost-${m.a % 100}` : m.value;
      break;
    case 'on_failure':
      body.on_failure = m.a % 2 ? pick(['stop', 'rollback', 'STOP', 'retry', ''], m.a) : m.value;
      break;
    case 'extra_key':
      Object.defineProperty(body, m.key || 'extra', { value: m.value, enumerable: true, writable: true, configurable: true });
      break;
    case 'project_id':
      body.project_id = m.a % 2 ? m.uuid : m.value;
      break;
    case 'parameters_not_object':
      body.parameters = m.value;
      break;
    case 'drop_field':
      delete body[pick(['template_id', 'name', 'cluster_id', 'parameters', 'on_failure'], m.a)];
      break;
    case 'wrong_type':
      body[pick(['template_id', 'name', 'cluster_id', 'on_failure', 'project_id'], m.a)] = m.value;
      break;
  }
}

const deploymentCaseArb = fc.record({ mutations: fc.array(deploymentMutationArb, { minLength: 0, maxLength: 3 }) });
function deploymentCases(count: number, seed: number, clusterId: string): Case[] {
  return fc.sample(deploymentCaseArb, { numRuns: count, seed }).map(({ mutations }) => {
    const body: any = {
      template_id: 'simple-rag-v1',
      name: freshSlug('fz').slice(0, 40),
      cluster_id: clusterId,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
    };
    for (const m of mutations) mutateDeployment(body, m, clusterId);
    // A well-formed cluster id other than the harness's own names a cluster the caller cannot see: 404 (docs/design.md#errors).
    const otherCluster = typeof body.cluster_id === 'string' && /^[0-9a-f-]{36}$/i.test(body.cluster_id) && body.cluster_id !== clusterId;
    return {
      kind: `deployment:${mutations.map((m) => m.op).join('+') || 'valid'}`,
      route: 'deployment',
      body,
      alsoAllowed: otherCluster ? [404] : [],
    };
  });
}

const rawArb = fc.oneof(
  fc.record({ t: fc.constant('json' as const), v: fc.jsonValue({ maxDepth: 6 }) }),
  fc.record({ t: fc.constant('anything' as const), v: fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true }) }),
  fc.record({ t: fc.constant('text' as const), v: fc.string({ unit: 'grapheme', maxLength: 200 }) }),
  fc.record({ t: fc.constant('binary' as const), v: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ t: fc.constant('truncated' as const), v: fc.nat() }),
  fc.record({
    t: fc.constant('tricky' as const),
    v: fc.constantFrom(
      '',
      ' ',
      'null',
      'true',
      '0',
      '"str"',
      '[]',
      '{',
      '}',
      '{"a":',
      '{"a":1,}',
      "{'a':1}",
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '\uFEFF{}',
      'NaN',
      '1e999',
      '{"id":"a"}{"id":"b"}',
      '[1,2',
      '{"a":"\\ud800"}',
      '{"a":"\u0000"}',
      '{"components":[{"id":"x","component_ref":"qdrant","config":{"__proto__":{"privileged":true}}}]}',
    ),
  }),
);
function randomCases(count: number, seed: number): Case[] {
  const validText = JSON.stringify({ ...baseTemplate, id: 'never-created-truncated' });
  return fc.sample(fc.tuple(rawArb, fc.boolean(), fc.nat(9)), { numRuns: count, seed }).map(([r, toTemplates, ct]): Case => {
    const route: Route = toTemplates ? 'template' : 'deployment';
    const contentType = ct === 0 ? 'text/plain' : ct === 1 ? 'application/merge-patch+json' : 'application/json';
    switch (r.t) {
      case 'json':
        return { kind: `random:json`, route, body: r.v, contentType };
      case 'anything': {
        let text: string | undefined;
        try {
          text = JSON.stringify(r.v);
        } catch {
          text = String(r.v);
        }
        return { kind: 'random:anything', route, raw: text ?? 'undefined', contentType };
      }
      case 'text':
        return { kind: 'random:text', route, raw: r.v, contentType };
      case 'binary':
        return { kind: 'random:binary', route, raw: Buffer.from(r.v), contentType };
      case 'truncated':
        return { kind: 'random:truncated', route, raw: validText.slice(0, r.v % validText.length), contentType };
      case 'tricky':
        return { kind: 'random:tricky', route, raw: r.v, contentType };
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// sending and judging

const truncate = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
function describeInput(c: Case): string {
  if (c.raw !== undefined)
    return `${c.contentType ?? 'application/json'} ${truncate(Buffer.isBuffer(c.raw) ? `<bytes ${c.raw.toString('hex')}>` : JSON.stringify(c.raw))}`;
  let text: string;
  try {
    text =
      JSON.stringify(c.body, (_k, v) =>
        typeof v === 'string' && v.length > 200 ? `<${v.length} chars of ${JSON.stringify(v.slice(0, 20))}…>` : v,
      ) ?? 'undefined';
  } catch {
    text = String(c.body);
  }
  return truncate(text, 1500);
}

const ERROR_CODES = new Set<string>(errorCodes);

/** Problems with one answer, empty when it is acceptable. */
function judge(c: Case, a: Answer): string[] {
  const problems: string[] = [];
  // A body that is not JSON is never read: 415, whatever it holds (an empty one is a missing body: 422).
  if (c.contentType === 'text/plain') {
    const expected = c.raw !== undefined && c.raw.length === 0 ? 422 : 415;
    if (a.status !== expected) problems.push(`status ${a.status} for a text/plain body is not ${expected}`);
  } else {
    const allowed = [400, 409, 422, ...(c.alsoAllowed ?? [])];
    if (!(a.status >= 200 && a.status < 300) && !allowed.includes(a.status))
      problems.push(`status ${a.status} is not 2xx/${allowed.join('/')}`);
  }
  if (a.status >= 400) {
    const b = a.body;
    if (!b || typeof b !== 'object' || Array.isArray(b)) problems.push('error body is not a JSON object');
    else {
      if (b.status_code !== a.status) problems.push(`status_code ${String(b.status_code)} != ${a.status}`);
      if (typeof b.error !== 'string' || !ERROR_CODES.has(b.error)) problems.push(`error ${JSON.stringify(b.error)} is not a known code`);
      if (typeof b.message !== 'string' || !b.message) problems.push('message is not a non-empty string');
      const expectedCode = { 400: 'bad_request', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 422: 'validation_failed' }[
        a.status
      ];
      if (expectedCode && b.error !== expectedCode)
        problems.push(`a ${a.status} carries error ${JSON.stringify(b.error)}, not ${expectedCode}`);
      if (a.status === 422) {
        if (!Array.isArray(b.details) || b.details.length === 0) problems.push('a 422 without details');
        else if (!b.details.every((d: any) => d && typeof d.path === 'string' && d.path.length > 0 && typeof d.message === 'string'))
          problems.push(`a 422 detail without a path: ${truncate(JSON.stringify(b.details))}`);
      }
    }
  }
  return problems;
}

describe('untrusted input is bounded (docs/design.md#bounded-input), fuzzed over HTTP', () => {
  let h: UsecasesHarness;
  beforeAll(async () => {
    h = await startUsecasesHarness();
  }, 120_000);
  afterAll(() => h?.stop(), 60_000);

  async function send(c: Case): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${h.tenantA.token}`,
      'content-type': c.contentType ?? 'application/json',
    };
    const payload = c.raw ?? serialize(c.body);
    const started = performance.now();
    const response = await fetch(`${h.usecases.url}${ROUTES[c.route]}`, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body, text, ms: performance.now() - started };
  }

  const health = async (path: string) => (await fetch(`${h.usecases.url}${path}`, { signal: AbortSignal.timeout(10_000) })).status;

  it('answers ≥ 10,000 generated templates, deployment bodies and raw payloads with no 5xx, no crash, and a named field on every 422', async () => {
    const before = memory();
    const rssBefore = before.rss;
    const started = performance.now();
    const batches: Array<() => Case[]> = [];
    for (let i = 0; i * BATCH < TEMPLATE_CASES; i++)
      batches.push(() => templateCases(Math.min(BATCH, TEMPLATE_CASES - i * BATCH), SEED + i));
    for (let i = 0; i * BATCH < DEPLOYMENT_CASES; i++)
      batches.push(() => deploymentCases(Math.min(BATCH, DEPLOYMENT_CASES - i * BATCH), SEED + 1000 + i, h.localClusterId));
    for (let i = 0; i * BATCH < RANDOM_CASES; i++)
      batches.push(() => randomCases(Math.min(BATCH, RANDOM_CASES - i * BATCH), SEED + 2000 + i));
    // Interleave the three families so the service sees them mixed.
    const order = batches
      .map((b, i) => ({ b, k: (i * 7919) % batches.length }))
      .sort((x, y) => x.k - y.k)
      .map((x) => x.b);

    const statuses = new Map<string, number>();
    const failures: Array<{ kind: string; input: string; status: number | string; problems: string[]; answer: string }> = [];
    let failureCount = 0;
    let sent = 0;
    let slowest = { ms: 0, kind: '' };
    let rssPeak = rssBefore;
    const kinds = new Map<string, number>();

    const rssGrowthByFamily = new Map<string, number>();
    for (const makeBatch of order) {
      const rssAtStart = process.memoryUsage().rss;
      const cases = makeBatch();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length) {
            const c = cases[next++];
            sent++;
            const family = c.kind.split(':')[0];
            kinds.set(c.kind.split('+')[0], (kinds.get(c.kind.split('+')[0]) ?? 0) + 1);
            let answer: Answer;
            try {
              answer = await send(c);
            } catch (error) {
              failureCount++;
              if (failures.length < 10)
                failures.push({
                  kind: c.kind,
                  input: describeInput(c),
                  status: 'no answer',
                  problems: [`request failed: ${(error as Error).message} ${String((error as any)?.cause ?? '')}`],
                  answer: '',
                });
              statuses.set(`${family} no-answer`, (statuses.get(`${family} no-answer`) ?? 0) + 1);
              continue;
            }
            statuses.set(`${family} ${answer.status}`, (statuses.get(`${family} ${answer.status}`) ?? 0) + 1);
            if (answer.ms > slowest.ms) slowest = { ms: answer.ms, kind: c.kind };
            const problems = judge(c, answer);
            if (problems.length) {
              failureCount++;
              if (failures.length < 10)
                failures.push({
                  kind: c.kind,
                  input: describeInput(c),
                  status: answer.status,
                  problems,
                  answer: truncate(answer.text, 800),
                });
            }
          }
        }),
      );
      const rssNow = process.memoryUsage().rss;
      rssPeak = Math.max(rssPeak, rssNow);
      const family = cases[0]?.kind.split(':')[0] ?? '?';
      rssGrowthByFamily.set(family, (rssGrowthByFamily.get(family) ?? 0) + rssNow - rssAtStart);
    }
    const seconds = (performance.now() - started) / 1000;
    const after = memory();
    const rssAfter = after.rss;
    const mb = (n: number) => Math.round(n / 1024 / 1024);

    console.log(
      [
        `untrusted-input fuzz: ${sent} requests in ${seconds.toFixed(1)} s (seed ${SEED}, concurrency ${CONCURRENCY})`,
        `statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
        `first mutation kinds: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`,
        `slowest answer: ${slowest.ms.toFixed(0)} ms (${slowest.kind})`,
        `rss: before ${mb(rssBefore)} MB, peak ${mb(rssPeak)} MB, after ${mb(rssAfter)} MB (growth ${mb(rssAfter - rssBefore)} MB); heap used before ${mb(before.heapUsed)} MB, after ${mb(after.heapUsed)} MB`,
        `rss growth while sending, by family (MB): ${JSON.stringify(Object.fromEntries([...rssGrowthByFamily].map(([k, v]) => [k, mb(v)])))}`,
        `failures: ${failureCount}`,
        ...failures.map(
          (f, i) => `#${i + 1} [${f.kind}] → ${f.status}: ${f.problems.join('; ')}\n   input: ${f.input}\n   answer: ${f.answer}`,
        ),
      ].join('\n'),
    );

    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(failures).toEqual([]);
    // Every family reached the service's validation (and some inputs were valid and accepted).
    expect(statuses.get('template 201')).toBeGreaterThan(0);
    expect(statuses.get('template 422')).toBeGreaterThan(0);
    expect(statuses.get('deployment 200')).toBeGreaterThan(0);
    expect(statuses.get('deployment 422')).toBeGreaterThan(0);
    expect(statuses.get('random 400')).toBeGreaterThan(0);
    expect(await health('/healthz')).toBe(200);
    expect(await health('/readyz')).toBe(200);
    // Constant memory: after a full collection the live heap is where it started. RSS is printed, not asserted: it keeps
    // freed-but-committed pages (330-563 MB growth measured here, varying with the allocator and the machine's load), so
    // it says nothing reliable about a leak.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(100 * 1024 * 1024);
  }, 300_000);

  describe('deterministic bounds', () => {
    const validTemplate = (edit: (t: any) => void = () => undefined) => {
      const t = clone(baseTemplate);
      t.id = freshSlug('bound');
      edit(t);
      return t;
    };
    const post = (route: Route, raw: string) => send({ kind: 'deterministic', route, raw });
    const expectErrorShape = (a: Answer, statuses: number[]) => {
      if (!statuses.includes(a.status)) throw new Error(`expected ${statuses.join('/')}, got ${a.status}: ${truncate(a.text)}`);
      expect(a.body).toMatchObject({ status_code: a.status, error: expect.any(String), message: expect.any(String) });
      expect(judge({ kind: 'deterministic', route: 'template', alsoAllowed: [413] }, a)).toEqual([]);
    };

    it('refuses a JSON body nested 1,000 levels deep and stays healthy', async () => {
      const bareArray = `${'['.repeat(1000)}1${']'.repeat(1000)}`;
      const bareObject = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
      const inConfig = JSON.stringify(validTemplate((t) => (t.components[0].config = nested(1000, 'x', false) as any)));
      const inParameterDefault = JSON.stringify(validTemplate((t) => (t.parameters[1].default = nested(1000, 'x', true) as any)));
      for (const raw of [bareArray, bareObject, inConfig, inParameterDefault]) {
        const a = await post('template', raw);
        expectErrorShape(a, [400, 413, 422]);
      }
      const deepParams = await send({
        kind: 'deterministic',
        route: 'deployment',
        body: {
          template_id: 'simple-rag-v1',
          name: 'deep-params',
          cluster_id: h.localClusterId,
          parameters: { model_id: nested(1000, 'm', false) },
        },
      });
      expectErrorShape(deepParams, [400, 413, 422]);
      expect(await health('/healthz')).toBe(200);
    });

    it('refuses a 2 MiB body with 413 payload_too_large, on both routes', async () => {
      const huge = JSON.stringify(validTemplate((t) => (t.description = 'd'.repeat(2 * 1024 * 1024))));
      for (const route of ['template', 'deployment'] as const) {
        const a = await post(route, huge);
        expect(a.status).toBe(413);
        expect(a.body).toEqual({ status_code: 413, error: 'payload_too_large', message: expect.any(String) });
      }
      expect(await health('/healthz')).toBe(200);
    });

    it.each([
      ['description', (t: any) => (t.description = 's'.repeat(100 * 1024))],
      ['components[1].config.model_id', (t: any) => (t.components[1].config.model_id = 's'.repeat(100 * 1024))],
      ['components[3].env.VECTOR_DB_URL', (t: any) => (t.components[3].env.VECTOR_DB_URL = 's'.repeat(100 * 1024))],
    ])('refuses a 100 KiB string at %s with a 422 naming the field', async (path, edit) => {
      const a = await send({ kind: 'deterministic', route: 'template', body: validTemplate(edit) });
      expectErrorShape(a, [422]);
      expect(a.body.error).toBe('validation_failed');
      expect(a.body.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it('refuses a 100 KiB parameter value of a deployment with a 422 naming the field', async () => {
      const a = await send({
        kind: 'deterministic',
        route: 'deployment',
        body: {
          template_id: 'simple-rag-v1',
          name: 'big-param',
          cluster_id: h.localClusterId,
          parameters: { model_id: 'm'.repeat(100 * 1024) },
        },
      });
      expectErrorShape(a, [422]);
      expect(a.body.details.map((d: { path: string }) => d.path).join(' ')).toContain('model_id');
    });

    it.each([
      ['name', (t: any) => (t.name = 'nul\u0000name')],
      ['description', (t: any) => (t.description = 'nul \u0000 inside')],
      ['components[1].config.model_id', (t: any) => (t.components[1].config.model_id = 'BAAI/\u0000')],
      ['tags[0]', (t: any) => (t.tags[0] = 'nul\u0000')],
    ])('answers a NUL character at %s with a 2xx or a 422 naming the field, never a 5xx', async (path, edit) => {
      const a = await send({ kind: 'deterministic', route: 'template', body: validTemplate(edit) });
      expect(judge({ kind: 'deterministic', route: 'template' }, a)).toEqual([]);
      if (a.status === 422) expect(a.body.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it('is still ready at the end', async () => {
      expect(await health('/healthz')).toBe(200);
      expect(await health('/readyz')).toBe(200);
    });
  });
});
