import type { ChangeAction, ChangePlan, ComponentChangePlan } from '@bud/contracts';
import { renderFields, renderTable } from './table';
import { formatGpuInventory, formatUsd, formatValue } from './values';
import { quotaField } from './quota-verdict';

const VERBS: Record<ChangeAction, string> = {
  update: 'Update',
  scale: 'Scale',
  upgrade: 'Upgrade',
  stop: 'Stop',
  delete: 'Delete',
};

/** Field values can be whole env maps or long strings; the table shows their start. */
const VALUE_WIDTH = 48;

/**
 * The answer of a `--dry-run` (docs/design.md#change-preview): per component what changes and which
 * job fields, who restarts because of whom, the cost and GPUs before and after, the capacity verdict
 * and the volumes that would be destroyed.
 */
export function renderChangePlan(plan: ChangePlan, deploymentName: string): string {
  const version =
    plan.template_version_before === plan.template_version_after
      ? plan.template_version_before
      : `${plan.template_version_before} → ${plan.template_version_after}`;
  const changed = plan.components.filter((c) => c.change !== 'unchanged').length;
  return [
    `${VERBS[plan.action]} plan for ${deploymentName} (dry run: nothing was changed)`,
    renderFields([
      ['Template version', version],
      ['Components', `${changed} of ${plan.components.length} change`],
    ]),
    renderTable(
      ['component', 'change', { header: '$/hour', align: 'right' }, 'field', 'from', 'to'],
      plan.components.flatMap(componentRows),
    ),
    blastRadius(plan),
    renderFields([
      ['Cost', `${costChange(plan.cost.before_per_hour, plan.cost.after_per_hour)}/hour (${signedUsd(plan.cost.difference_per_hour)})`],
      ['GPUs', `${gpus(plan.cost.gpus_before)} → ${gpus(plan.cost.gpus_after)}`],
      ['Capacity', `${plan.capacity.admits ? 'fits' : 'does NOT fit'}: ${plan.capacity.message}`],
      ...quotaField(plan.capacity),
    ]),
    dataAtRisk(plan),
  ].join('\n\n');
}

function componentRows(c: ComponentChangePlan): string[][] {
  const cost = costChange(c.estimated_cost_per_hour_before, c.estimated_cost_per_hour_after);
  if (c.fields.length === 0) return [[c.id, c.change, cost, '-', '', '']];
  return c.fields.map((f, i) => [
    i === 0 ? c.id : '',
    i === 0 ? c.change : '',
    i === 0 ? cost : '',
    f.path,
    shortValue(f.from),
    shortValue(f.to),
  ]);
}

function blastRadius(plan: ChangePlan): string {
  if (plan.blast_radius.length === 0) return 'Blast radius: no dependent restarts.';
  const rows = plan.blast_radius.map((r) => [r.component, `${r.because_of.component}.${r.because_of.output}`]);
  return `Blast radius: ${plan.blast_radius.length} dependent${plan.blast_radius.length === 1 ? '' : 's'} restart\n${renderTable(
    ['restarts', 'because of output'],
    rows,
  )}`;
}

function dataAtRisk(plan: ChangePlan): string {
  if (plan.data_at_risk.length === 0) return 'Data at risk: none; no volume is destroyed.';
  return `Data at risk: ${plan.data_at_risk.length} volume${plan.data_at_risk.length === 1 ? '' : 's'} would be DESTROYED\n${renderTable(
    ['component', 'volume', 'claim', { header: 'size', align: 'right' }, { header: '$/month', align: 'right' }],
    plan.data_at_risk.map((v) => [v.component, v.volume, v.claim_name, v.size, formatUsd(v.estimated_cost_per_month)]),
  )}`;
}

function gpus(inventory: Readonly<Record<string, number>>): string {
  return Object.keys(inventory).length > 0 ? formatGpuInventory(inventory) : 'none';
}

function costChange(before: string, after: string): string {
  return before === after ? formatUsd(before) : `${formatUsd(before)} → ${formatUsd(after)}`;
}

/** `"-0.500000"` → `-$0.50`, `"1.000000"` → `+$1.00`. */
export function signedUsd(decimal: string): string {
  const negative = decimal.startsWith('-');
  const magnitude = formatUsd(negative ? decimal.slice(1) : decimal);
  if (/^\$0\.0+$/.test(magnitude)) return `±${magnitude}`;
  return `${negative ? '-' : '+'}${magnitude}`;
}

function shortValue(value: unknown): string {
  const text = value === undefined ? '-' : formatValue(value);
  return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text;
}
