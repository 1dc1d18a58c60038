import type { DeploymentPlan } from '@bud/contracts';
import { budgetFields } from './billing';
import { renderFields, renderTable } from './table';
import { formatGpu, formatUsd, formatValue } from './values';
import { quotaField } from './quota-verdict';

/** The dry-run answer: what would run, in which wave, on how many GPUs, at what cost, and whether it fits. */
export function renderPlan(plan: DeploymentPlan, target: { name: string; cluster: string }): string {
  const rows = plan.waves.flatMap((w) =>
    w.components.map((c) => [
      String(w.wave),
      c.id,
      c.component_ref,
      c.deployment_type,
      formatGpu(c.gpu.count, c.gpu.type),
      formatUsd(c.estimated_cost_per_hour),
      c.depends_on.join(', ') || '-',
    ]),
  );
  const sections = [
    `Plan for ${target.name}: ${plan.template_id}@${plan.template_version} on cluster ${target.cluster} (dry run: nothing was created)`,
    `Parameters:\n${renderFields(
      Object.entries(plan.parameters).map(([name, value]) => [name, formatValue(value)]),
      '  ',
    )}`,
    renderTable(
      [{ header: 'wave', align: 'right' }, 'component', 'ref', 'type', 'gpus', { header: '$/hour', align: 'right' }, 'depends on'],
      rows,
    ),
  ];
  if (plan.skipped.length > 0)
    sections.push(`Skipped:\n${plan.skipped.map((s) => `  ${s.id} (${s.component_ref}): ${s.reason}`).join('\n')}`);
  const gpus = Object.entries(plan.total.gpus).map(([type, count]) => formatGpu(count, type));
  sections.push(
    renderFields([
      [
        'Total',
        `${plan.total.components} components, ${gpus.join(', ') || 'no GPUs'}, ${formatUsd(plan.total.estimated_cost_per_hour)}/hour`,
      ],
      ['Capacity', `${plan.capacity.admits ? 'fits' : 'does NOT fit'}: ${plan.capacity.message}`],
      ...quotaField(plan.capacity),
      ...budgetFields(plan.budget),
    ]),
  );
  if (plan.capacity.gpus.length > 0) {
    sections.push(
      renderTable(
        ['gpu type', { header: 'requested', align: 'right' }, { header: 'free', align: 'right' }, 'verdict'],
        plan.capacity.gpus.map((g) => [g.gpu_type, String(g.requested), String(g.free), g.sufficient ? 'ok' : 'short']),
      ),
    );
  }
  const checks = contractLines(plan);
  if (checks) sections.push(checks);
  return sections.join('\n\n');
}

/** docs/templates.md#typed-contracts: the checks that passed and those that could not run (a failed one is a 422). */
export function contractLines(plan: Pick<DeploymentPlan, 'checks' | 'warnings'>): string | null {
  const lines = [
    ...(plan.checks ?? []).map((c) => `  ok    ${c.component}: ${c.check.replace('_', ' ')}: ${c.message}`),
    ...(plan.warnings ?? []).map((w) => `  WARN  ${w.component}: ${w.check.replace('_', ' ')}: ${w.message} (${w.path})`),
  ];
  return lines.length > 0 ? `Contract checks:\n${lines.join('\n')}` : null;
}
