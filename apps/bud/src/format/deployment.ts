import type { DeploymentComponentResponse, DeploymentResponse } from '@bud/contracts';
import { renderFields, renderTable } from './table';
import { formatAge, formatUsd, formatValue, orDash } from './values';

export function renderDeploymentList(deployments: readonly DeploymentResponse[], now: number): string {
  return renderTable(
    ['name', 'id', 'template', 'status', { header: '$/hour', align: 'right' }, 'age'],
    deployments.map((d) => [
      d.name,
      d.id,
      `${d.template_id}@${d.template_version}`,
      d.status,
      formatUsd(d.estimated_cost_per_hour),
      formatAge(d.created_at, now),
    ]),
  );
}

export function renderDeployment(d: DeploymentResponse, now: number): string {
  const sections = [
    renderFields([
      ['Name', d.name],
      ['ID', d.id],
      ['Template', `${d.template_id}@${d.template_version}${upgradeNote(d)}`],
      ['Cluster', d.cluster_id],
      ['Namespace', d.namespace],
      ['Status', d.status_message ? `${d.status} (${d.status_message})` : d.status],
      ['Run', String(d.run)],
      ['On failure', d.on_failure],
      ['Cost', `${formatUsd(d.estimated_cost_per_hour)}/hour`],
      ['Created', `${d.created_at} (${formatAge(d.created_at, now)} ago)`],
    ]),
  ];
  const parameters = Object.entries(d.parameters);
  if (parameters.length > 0)
    sections.push(
      `Parameters:\n${renderFields(
        parameters.map(([name, value]) => [name, formatValue(value)]),
        '  ',
      )}`,
    );
  if (d.components && d.components.length > 0) sections.push(`Components:\n${renderComponents(d.components)}`);
  return sections.join('\n\n');
}

export function renderComponents(components: readonly DeploymentComponentResponse[]): string {
  return renderTable(
    ['component', 'ref', { header: 'wave', align: 'right' }, 'status', 'health', 'job', { header: '$/hour', align: 'right' }, 'detail'],
    components.map((c) => [
      c.id,
      c.component_ref,
      c.wave < 0 ? '-' : String(c.wave),
      c.status,
      orDash(c.health),
      orDash(c.job_status),
      formatUsd(c.estimated_cost_per_hour),
      componentDetail(c),
    ]),
  );
}

/** What a person wants to know next about a component: what it waits for, its URL, or why it is as it is. */
function componentDetail(c: DeploymentComponentResponse): string {
  if (c.status === 'pending' && c.blocked_by.length > 0) return `waiting for ${c.blocked_by.join(', ')}`;
  if (c.health === 'unhealthy' && c.health_message) return c.health_message;
  if (c.status === 'running' && c.job_outputs.url) return c.job_outputs.url;
  return orDash(c.message);
}

function upgradeNote(d: DeploymentResponse): string {
  return d.upgrade_available ? ` (${d.upgrade_available} is available: bud deployments upgrade ${d.name} --dry-run)` : '';
}
