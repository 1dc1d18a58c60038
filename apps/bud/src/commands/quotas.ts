import type { Page, QuotaRequest, QuotaResponse } from '@bud/contracts';
import { quotaRequestSchema, uuidSchema } from '@bud/contracts';
import { UsageError } from '../errors';
import { renderTable } from '../format/table';
import { resolveClusterId } from '../lookups';
import type { CommandContext, CommandSpec } from './command';
import { printPage } from './list-output';
import { pageQuery, pagingOptions } from './paging';

const quotasPath = (clusterId: string) => `/api/v1/clusters/${encodeURIComponent(clusterId)}/quotas`;

/** `4+2`: nominal 4, may borrow 2 more; `4+any`: may borrow all the cohort lends; `4` alone outside the cohort. */
function formatLimit(nominal: string | number, borrowingLimit: string | number | null, cohort: boolean): string {
  if (!cohort) return String(nominal);
  return `${nominal}+${borrowingLimit === null ? 'any' : borrowingLimit}`;
}

const QUOTA_COLUMNS = ['tenant', 'source', 'gpus', 'cpu/memory', 'in use', 'queued', 'weight', 'cohort'];

function quotaRows(quotas: readonly QuotaResponse[]): string[][] {
  return quotas.map((q) => {
    const products = [...new Set([...Object.keys(q.gpus), ...Object.keys(q.usage?.gpus ?? {})])].sort();
    const gpus = products
      .filter((p) => q.gpus[p])
      .map((p) => `${p} ${formatLimit(q.gpus[p].nominal, q.gpus[p].borrowing_limit, q.cohort)}`);
    const used = products
      .map((p) => ({ p, u: q.usage?.gpus[p] }))
      .filter(({ u }) => u && (u.admitted > 0 || u.queued > 0))
      .map(({ p, u }) => `${p} ${u!.admitted}${u!.borrowed > 0 ? ` (${u!.borrowed} borrowed)` : ''}`);
    const queued = products
      .map((p) => ({ p, n: q.usage?.gpus[p]?.queued ?? 0 }))
      .filter(({ n }) => n > 0)
      .map(({ p, n }) => `${p} ${n}`);
    const other = [
      q.cpu ? `cpu ${formatLimit(q.cpu.nominal, q.cpu.borrowing_limit, q.cohort)}` : '',
      q.memory ? `memory ${formatLimit(q.memory.nominal, q.memory.borrowing_limit, q.cohort)}` : '',
    ].filter(Boolean);
    return [
      q.tenant_id ?? 'default',
      q.source,
      gpus.join(', ') || '-',
      other.join(', ') || 'unlimited',
      q.usage ? used.join(', ') || '0' : '-',
      queued.join(', ') || '-',
      String(q.weight),
      q.cohort ? 'yes' : 'no',
    ];
  });
}

/** `--gpu H100-80GB=4` or `=4:2` (nominal 4, borrowing limit 2); without `:limit` the tenant may borrow all the cohort lends. */
export function parseGpuFlags(values: readonly string[]): QuotaRequest['gpus'] {
  const gpus: QuotaRequest['gpus'] = {};
  for (const value of values) {
    const match = /^([^=\s]+)=(\d+)(?::(\d+))?$/.exec(value);
    if (!match) throw new UsageError(`--gpu must be <gpu type>=<nominal>[:<borrowing limit>] with whole numbers, got '${value}'`);
    const [, product, nominal, limit] = match;
    if (gpus[product]) throw new UsageError(`--gpu names ${product} twice`);
    gpus[product] = { nominal: Number(nominal), borrowing_limit: limit === undefined ? null : Number(limit) };
  }
  return gpus;
}

/** `--cpu 32` or `--cpu 32:8`, `--memory 256Gi:64Gi`: a nominal quantity and an optional borrowing limit. */
function parseQuantityFlag(
  flag: 'cpu' | 'memory',
  value: string | undefined,
): { nominal: string; borrowing_limit: string | null } | undefined {
  if (value === undefined) return undefined;
  const [nominal, limit, extra] = value.split(':');
  if (!nominal || extra !== undefined || limit === '')
    throw new UsageError(`--${flag} must be <nominal>[:<borrowing limit>] quantities, got '${value}'`);
  return { nominal, borrowing_limit: limit ?? null };
}

/** The flags as a quota request, checked by the API's own schema; a problem names the flag it came from. */
export function quotaRequestFromFlags(context: CommandContext): QuotaRequest {
  const { input } = context;
  const weightText = input.string('weight');
  const weight = weightText === undefined ? undefined : Number(weightText);
  if (weightText !== undefined && (weightText.trim() === '' || !Number.isFinite(weight)))
    throw new UsageError(`--weight must be a number of at least 0.01, got '${weightText}'`);
  const cpu = parseQuantityFlag('cpu', input.string('cpu'));
  const memory = parseQuantityFlag('memory', input.string('memory'));
  const body = {
    gpus: parseGpuFlags(input.strings('gpu')),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(weight === undefined ? {} : { weight }),
    cohort: !input.boolean('no-cohort'),
  };
  const parsed = quotaRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [field, product] = issue.path.map(String);
  const flag = field === 'gpus' ? `--gpu ${product ?? ''}`.trim() : `--${field}`;
  const cohortNote = !body.cohort && issue.path.at(-1) === 'borrowing_limit' ? ' (with --no-cohort)' : '';
  throw new UsageError(`${flag}: ${issue.path.at(-1) === 'borrowing_limit' ? 'borrowing limit ' : ''}${issue.message}${cohortNote}`);
}

/** `<uuid>` or `default` (the cluster's default quota, for tenants without their own). */
function tenantTarget(raw: string): string {
  if (raw === 'default' || uuidSchema.safeParse(raw).success) return raw;
  throw new UsageError(`--tenant must be a tenant id (a UUID) or 'default', got '${raw}'`);
}

/** docs/design.md#quotas: GPU quotas per tenant on a shared cluster, borrowing, fair-sharing weights. */
export const quotaCommands: CommandSpec[] = [
  {
    words: ['quotas', 'list'],
    args: [],
    summary: "List a cluster's quotas with their usage: every tenant's for an admin, else your own",
    details: [
      'GPUS shows nominal+borrowing limit per GPU type ("+any": may borrow all the cohort lends; no "+" outside the',
      'cohort). IN USE counts GPUs admitted work holds, QUEUED what waits.',
    ].join('\n'),
    options: { cluster: { type: 'string', value: 'name|id', required: true, description: 'the cluster' }, ...pagingOptions },
    async run(context) {
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      const answer = await context.clusters.client.get<Page<QuotaResponse>>(quotasPath(clusterId), { ...pageQuery(context.input) });
      printPage(context, answer, 'quotas', (items) => renderTable(QUOTA_COLUMNS, quotaRows(items)));
    },
  },
  {
    words: ['quotas', 'set'],
    args: [],
    summary: "Set a tenant's quota on a cluster, or the cluster's default quota (needs platform:admin)",
    details: [
      "Replaces the tenant's whole quota: GPU types left out get nominal 0 (their work borrows), weight 1, in the cohort.",
      'Example: bud quotas set --cluster prod --tenant <uuid> --gpu H100-80GB=4:2 --gpu L4=2 --weight 2',
      'Work that no longer fits queues; nothing running is evicted except by preemption (docs/operations.md#quotas).',
    ].join('\n'),
    options: {
      cluster: { type: 'string', value: 'name|id', required: true, description: 'the cluster' },
      tenant: {
        type: 'string',
        value: 'uuid|default',
        required: true,
        description: "the tenant, or 'default' for tenants without a quota",
      },
      gpu: {
        type: 'string',
        value: 'type=nominal[:borrow]',
        multiple: true,
        description: 'GPUs of one type it holds, and how many more it may borrow (without :borrow, all the cohort lends)',
      },
      cpu: { type: 'string', value: 'nominal[:borrow]', description: 'CPU quantities, e.g. 32:8 (absent: not limited)' },
      memory: { type: 'string', value: 'nominal[:borrow]', description: 'memory quantities, e.g. 256Gi:64Gi (absent: not limited)' },
      weight: { type: 'string', value: 'number', description: 'its weight in fair sharing of idle GPUs, > 0 (default 1)' },
      'no-cohort': { type: 'boolean', description: 'neither lend nor borrow: the tenant keeps exactly its nominal quota' },
    },
    async run(context) {
      const tenant = tenantTarget(context.input.requiredString('tenant'));
      const body = quotaRequestFromFlags(context);
      const clusterId = await resolveClusterId(context.clusters, context.input.requiredString('cluster'));
      const saved = await context.clusters.client.json<QuotaResponse>('PUT', `${quotasPath(clusterId)}/${tenant}`, { body });
      if (context.format === 'json') return context.output.json(saved);
      context.output.out(renderTable(QUOTA_COLUMNS, quotaRows([saved])));
    },
  },
];
