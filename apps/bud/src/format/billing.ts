import type { BudgetResponse, BudgetVerdict, InvoiceResponse, UsageResponse } from '@bud/contracts';
import { renderFields, renderTable } from './table';
import { formatUsd } from './values';

/** formatUsd for amounts that may be negative (a budget's remaining once over). */
export function formatAmount(decimal: string): string {
  return decimal.startsWith('-') ? `-${formatUsd(decimal.slice(1))}` : formatUsd(decimal);
}

const BY_HEADER = { deployment: 'deployment', project: 'project', cluster: 'cluster', gpu_type: 'gpu type', job: 'job' } as const;

/** `2026-11-03T00:00:00.000Z` by day → `2026-11-03`; by hour → `2026-11-03 14:00`; by month → `2026-11`. */
export function periodText(periodStart: string, groupBy: UsageResponse['group_by']): string {
  if (groupBy === 'month') return periodStart.slice(0, 7);
  if (groupBy === 'day') return periodStart.slice(0, 10);
  return `${periodStart.slice(0, 10)} ${periodStart.slice(11, 16)}`;
}

/** One row per bucket (and key), then the total; `names` turns deployment ids into names where known. */
export function renderUsage(usage: UsageResponse, names: ReadonlyMap<string, string> = new Map()): string {
  const keyText = (key: string | null) => (key === null ? '-' : (names.get(key) ?? key));
  const quantities = (q: UsageResponse['total']) => [q.gpu_hours, q.vcpu_hours, q.memory_gib_hours, formatUsd(q.cost)];
  const right = (header: string) => ({ header, align: 'right' as const });
  const columns = [
    usage.group_by,
    ...(usage.by ? [BY_HEADER[usage.by]] : []),
    right('gpu-hours'),
    right('vcpu-hours'),
    right('gib-hours'),
    right('cost'),
  ];
  const rows = usage.items.map((r) => [
    periodText(r.period_start, usage.group_by),
    ...(usage.by ? [keyText(r.key)] : []),
    ...quantities(r),
  ]);
  rows.push(['total', ...(usage.by ? [''] : []), ...quantities(usage.total)]);
  const head = `Usage ${usage.from.slice(0, 16).replace('T', ' ')} to ${usage.to.slice(0, 16).replace('T', ' ')} UTC${
    usage.tenant_id ? '' : ', every tenant'
  }, in ${usage.currency}:`;
  return usage.items.length === 0 ? `${head}\nnothing metered in this range.` : `${head}\n${renderTable(columns, rows)}`;
}

export function renderInvoice(invoice: InvoiceResponse, names: ReadonlyMap<string, string> = new Map()): string {
  const rows = invoice.deployments.flatMap((d) =>
    d.lines.map((l) => [
      d.deployment_id === null ? '-' : (names.get(d.deployment_id) ?? d.deployment_id),
      l.job_name,
      l.gpu_type ?? '-',
      l.quantities.gpu_hours,
      formatUsd(l.unit_prices.gpu_hour),
      l.quantities.vcpu_hours,
      formatUsd(l.unit_prices.vcpu_hour),
      l.quantities.memory_gib_hours,
      formatUsd(l.unit_prices.memory_gib_hour),
      formatUsd(l.amount),
    ]),
  );
  const right = (header: string) => ({ header, align: 'right' as const });
  const sections = [
    `Invoice ${invoice.period} for tenant ${invoice.tenant_id} (${invoice.status}${
      invoice.status === 'open' ? `: metered through ${invoice.metered_through}, amounts still grow` : ''
    })`,
  ];
  if (rows.length > 0)
    sections.push(
      renderTable(
        [
          'deployment',
          'job',
          'gpu type',
          right('gpu-hours'),
          right('$/gpu-h'),
          right('vcpu-hours'),
          right('$/vcpu-h'),
          right('gib-hours'),
          right('$/gib-h'),
          right('amount'),
        ],
        rows,
      ),
    );
  else sections.push('No usage in this month.');
  sections.push(
    renderFields([
      ...invoice.deployments.map((d): [string, string] => [
        d.deployment_id === null ? 'Outside deployments' : (names.get(d.deployment_id) ?? d.deployment_id),
        formatUsd(d.amount),
      ]),
      ['Total', `${formatUsd(invoice.total)} ${invoice.currency}`],
      ['Total due', `$${invoice.total_due}`],
    ]),
  );
  return sections.join('\n\n');
}

const ACTIONS = { notify: 'notify', block_new: 'block new work', stop: 'stop deployments' } as const;

/** Thresholds with the crossed ones starred: `80%* 100%`. */
function thresholdsText(b: BudgetResponse): string {
  return b.thresholds.map((t) => `${t}%${b.crossed.includes(t) ? '*' : ''}`).join(' ');
}

export function renderBudgets(budgets: readonly BudgetResponse[]): string {
  if (budgets.length === 0) return 'No budget. Set one with: bud budgets set --amount 1000';
  const right = (header: string) => ({ header, align: 'right' as const });
  const table = renderTable(
    [
      'id',
      'scope',
      'period',
      right('monthly'),
      right('spent'),
      right('remaining'),
      right('projected'),
      right('used'),
      'thresholds',
      'at 100%',
    ],
    budgets.map((b) => [
      b.id,
      b.project_id ? `project ${b.project_id}` : 'tenant',
      b.period,
      formatUsd(b.monthly_amount),
      formatUsd(b.spent),
      formatAmount(b.remaining),
      formatUsd(b.projected_month_end),
      `${Math.floor(b.used_ratio * 100)}%`,
      thresholdsText(b),
      ACTIONS[b.action],
    ]),
  );
  return budgets.some((b) => b.crossed.length > 0) ? `${table}\n* crossed this month` : table;
}

/** The dry-run's budget lines (docs/design.md#budgets): the verdict, then each covering budget's numbers. */
export function budgetFields(verdict: BudgetVerdict | undefined): Array<[string, string]> {
  if (!verdict) return [];
  const fields: Array<[string, string]> = [['Budget', `${verdict.admits ? 'admitted' : 'REFUSED'}: ${verdict.message}`]];
  for (const b of verdict.budgets) {
    const scope = b.project_id ? `project ${b.project_id}` : 'tenant';
    const over = b.over_by !== null && b.over_by !== '0.000000' ? `; over by ${formatUsd(b.over_by)}` : '';
    fields.push([
      `  ${scope}`,
      `${formatAmount(b.remaining)} remaining; projected month end ${formatUsd(b.projected_month_end)} before this work, ` +
        `which adds ${formatUsd(b.projected_new)}${over} (${ACTIONS[b.action]} at 100%)`,
    ]);
  }
  return fields;
}
