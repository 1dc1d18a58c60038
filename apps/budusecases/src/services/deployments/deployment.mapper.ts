import type { DeploymentComponentResponse, DeploymentEvent, DeploymentResponse } from '@bud/contracts';
import type { DeploymentComponentRecord, DeploymentEventRecord, DeploymentRecord } from '../../entities/records';
import { blockedBy } from '../../domain/deployment/deployment-state';
import { componentStates } from '../../domain/deployment/deployment-snapshot';

export function toDeploymentResponse(
  d: DeploymentRecord,
  components?: DeploymentComponentRecord[],
  upgradeAvailable: string | null = null,
): DeploymentResponse {
  return {
    id: d.id,
    name: d.name,
    tenant_id: d.tenantId,
    project_id: d.projectId,
    created_by: d.createdBy,
    template_id: d.templateId,
    template_version: d.templateVersion,
    upgrade_available: upgradeAvailable,
    cluster_id: d.clusterId,
    namespace: d.namespace,
    parameters: d.parameters,
    status: d.status,
    status_message: d.statusMessage,
    on_failure: d.onFailure,
    run: d.run,
    estimated_cost_per_hour: Number(d.estimatedCostPerHour).toFixed(6),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    version: d.version,
    ...(components ? { components: toComponentResponses(components) } : {}),
  };
}

export function toComponentResponses(components: DeploymentComponentRecord[]): DeploymentComponentResponse[] {
  const states = componentStates(components);
  return components.map((c, i) => ({
    id: c.id,
    component_ref: c.componentRef,
    status: c.status,
    blocked_by: c.status === 'pending' ? blockedBy(states[i], states) : [],
    depends_on: c.dependsOn,
    wave: c.wave,
    job_id: c.jobId,
    job_status: c.jobStatus,
    outputs: c.outputs,
    job_outputs: c.jobOutputs,
    message: c.message,
    health: c.jobId === null ? null : (c.health ?? 'unknown'),
    health_message: c.healthMessage,
    unhealthy_since: c.unhealthySince?.toISOString() ?? null,
    replicas: c.replicas ?? c.planned.job?.resources.replicas ?? null,
    generation: c.generation,
    // A component a condition skipped was stored as {id, component_ref, reason}: it costs nothing.
    estimated_cost_per_hour: c.planned.estimated_cost_per_hour ?? '0.000000',
    updated_at: c.updatedAt.toISOString(),
  }));
}

export function toEventResponse(e: DeploymentEventRecord): DeploymentEvent {
  return {
    id: String(e.id),
    deployment_id: e.deploymentId,
    type: e.type,
    component_id: e.componentId,
    status: e.status,
    message: e.message,
    occurred_at: e.occurredAt.toISOString(),
  };
}
