import type { InvoiceResponse, UsageDimension, UsageGroupBy, UsageResponse } from '@bud/contracts';
import { invoicePeriodSchema, MAX_USAGE_RANGE_DAYS, usageGroupBys, uuidSchema } from '@bud/contracts';
import { UsageError } from '../errors';
import { renderInvoice, renderUsage } from '../format/billing';
import { resolveDeploymentId } from '../lookups';
import type { CommandContext, CommandSpec } from './command';

const BY: Record<string, UsageDimension> = {
  deployment: 'deployment',
  project: 'project',
  gpu: 'gpu_type',
  gpu_type: 'gpu_type',
  cluster: 'cluster',
  job: 'job',
};
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `30d`, `12h`, `90m`, `2w` → milliseconds; at most the API's longest range. */
export function parseSince(text: string): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!match || ms <= 0) throw new UsageError(`--since must be a duration like 30d, 12h, 90m or 2w, got '${text}'`);
  if (ms > MAX_USAGE_RANGE_DAYS * UNIT_MS.d) throw new UsageError(`--since must be at most ${MAX_USAGE_RANGE_DAYS}d, got '${text}'`);
  return ms;
}

function isoFlag(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time))
    throw new UsageError(`--${flag} must be a date or time like 2026-11-01 or 2026-11-01T12:00:00Z, got '${text}'`);
  return new Date(time).toISOString();
}

function tenantFlag(context: CommandContext): string | undefined {
  const tenant = context.input.string('tenant');
  if (tenant !== undefined && !uuidSchema.safeParse(tenant).success)
    throw new UsageError(`--tenant must be a tenant id (a UUID), got '${tenant}'`);
  return tenant;
}

/** Deployment names for the ids an answer holds, from budusecases; ids it no longer knows (deleted) stay ids. */
async function deploymentNames(context: CommandContext, wanted: boolean): Promise<Map<string, string>> {
  if (!wanted || context.format === 'json') return new Map();
  try {
    const page = await context.usecases.listDeployments({ page: 1, page_size: 100 });
    return new Map(page.items.map((d) => [d.id, d.name]));
  } catch {
    return new Map();
  }
}

const tenantOption = { type: 'string', value: 'uuid', description: "another tenant's (needs platform:admin)" } as const;

/** docs/design.md#usage and #invoices: what was metered, from budcluster's ledger. */
export const billingCommands: CommandSpec[] = [
  {
    words: ['usage'],
    args: [],
    summary: 'Show metered usage and cost over time: GPU-, vCPU- and GiB-hours and USD, per day (or hour, month)',
    details: [
      'Examples: bud usage --by deployment --since 7d; bud usage --by gpu --group-by month --from 2026-01-01',
      'Amounts are exact decimals from the ledger (per minute, at the price in effect then); the last minutes',
      'before now are metered a few seconds late.',
    ].join('\n'),
    options: {
      by: { type: 'string', value: 'deployment|project|gpu|cluster|job', description: 'split each period by this' },
      since: { type: 'string', value: 'duration', description: 'how far back from now: 30d (default), 12h, 2w' },
      from: { type: 'string', value: 'time', description: 'start (UTC date or ISO time) instead of --since' },
      to: { type: 'string', value: 'time', description: 'end (default: now)' },
      'group-by': { type: 'string', value: usageGroupBys.join('|'), description: 'period length (default day)' },
      deployment: { type: 'string', value: 'name|id', description: "only this deployment's usage" },
      project: { type: 'string', value: 'uuid', description: "only this project's usage" },
      tenant: tenantOption,
    },
    async run(context) {
      const { input } = context;
      const byText = input.string('by');
      const by = byText === undefined ? undefined : BY[byText];
      if (byText !== undefined && !by) throw new UsageError(`--by must be deployment, project, gpu, cluster or job, got '${byText}'`);
      const groupBy = input.string('group-by') ?? 'day';
      if (!(usageGroupBys as readonly string[]).includes(groupBy))
        throw new UsageError(`--group-by must be ${usageGroupBys.join(', ')}, got '${groupBy}'`);
      const since = input.string('since');
      if (since !== undefined && input.string('from') !== undefined) throw new UsageError('give --since or --from, not both');
      const from = isoFlag('from', input.string('from')) ?? new Date(context.now() - parseSince(since ?? '30d')).toISOString();
      const to = isoFlag('to', input.string('to'));
      const project = input.string('project');
      if (project !== undefined && !uuidSchema.safeParse(project).success)
        throw new UsageError(`--project must be a project id (a UUID), got '${project}'`);
      const tenant = tenantFlag(context);
      const deployment = input.string('deployment');
      const usage = await context.clusters.client.get<UsageResponse>('/api/v1/usage', {
        from,
        to,
        group_by: groupBy as UsageGroupBy,
        by,
        project_id: project,
        tenant_id: tenant,
        deployment_id: deployment === undefined ? undefined : await resolveDeploymentId(context.usecases, deployment),
      });
      if (context.format === 'json') return context.output.json(usage);
      context.output.out(renderUsage(usage, await deploymentNames(context, by === 'deployment')));
    },
  },
  {
    words: ['invoice'],
    args: ['<period>'],
    summary: "Show a month's invoice (YYYY-MM): a line per job and unit price, per deployment, and the total",
    details:
      "Example: bud invoice 2026-11 --csv > invoice-2026-11.csv\nThe total is the ledger's sum for the month to the micro-dollar; total due is it to the cent.",
    options: {
      csv: { type: 'boolean', description: 'print the CSV budcluster renders (a header, a row per line item, a total row)' },
      tenant: tenantOption,
    },
    async run(context) {
      const period = context.input.positionals[0];
      if (!invoicePeriodSchema.safeParse(period).success)
        throw new UsageError(`the period must be a month as YYYY-MM, like 2026-11, got '${period}'`);
      const path = `/api/v1/invoices/${period}`;
      const tenant = tenantFlag(context);
      if (context.input.boolean('csv')) {
        const response = await context.clusters.client.send('GET', path, {
          query: { format: 'csv', tenant_id: tenant },
          headers: { accept: 'text/csv' },
        });
        const text = await response.text();
        return context.output.out(text.replace(/\n$/, ''));
      }
      const invoice = await context.clusters.client.get<InvoiceResponse>(path, { tenant_id: tenant });
      if (context.format === 'json') return context.output.json(invoice);
      context.output.out(renderInvoice(invoice, await deploymentNames(context, true)));
    },
  },
];
