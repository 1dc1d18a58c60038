import { Injectable } from '@nestjs/common';
import { jobEventDataSchema } from '@bud/contracts';
import type { CloudEvent } from '@bud/contracts';
import { Logger } from '@bud/logging';
import { foldJobEvent, parseJobSourceId } from '../domain/deployment/job-event-fold';
import { DeploymentRepository } from '../repositories/deployment.repository';
import { componentOutputs } from './component-outputs';
import { CrashPoints } from './crash-points';
import { DeploymentWriter } from './deployment-writer';
import { Reconciler } from './reconciler.service';

/**
 * Consumes budcluster's `job-events` (at least once, any order): each event is folded into its
 * component by job version, so duplicates and stale deliveries change nothing, then the reconciler wakes.
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger('job-events');

  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly writer: DeploymentWriter,
    private readonly reconciler: Reconciler,
    private readonly crash: CrashPoints,
  ) {}

  async handle(event: CloudEvent): Promise<void> {
    const parsed = jobEventDataSchema.safeParse(event.data);
    if (!parsed.success) {
      this.logger.warn('dropped a malformed job event', { event_id: event.id, error: parsed.error.issues[0]?.message });
      return;
    }
    const data = parsed.data;
    const source = parseJobSourceId(data.source_id);
    if (data.source_type !== 'usecase' || !data.usecase_deployment_id || !source) {
      this.logger.debug('not a use-case job event', { event_id: event.id, source_id: data.source_id });
      return;
    }
    const deploymentId = data.usecase_deployment_id;
    const changed = await this.deployments.transaction(async (m) => {
      const component = await this.deployments.lockComponent(m, deploymentId, source.componentId);
      const deployment = component ? await this.deployments.findById(deploymentId, m) : null;
      if (!component || !deployment) {
        this.logger.debug('job event for an unknown component', { event_id: event.id, deployment_id: deploymentId, component_id: source.componentId });
        return false;
      }
      const next = foldJobEvent(component, { jobId: data.job_id, version: data.version, status: data.status, run: source.run, revision: source.revision }, { run: deployment.run, desired: deployment.desiredState });
      if (!next) {
        this.logger.debug('job event changes nothing', { event_id: event.id, job_version: component.jobVersion, job_id: component.jobId, run: deployment.run });
        return false;
      }
      const message = data.status_message ?? data.status_reason;
      await this.writer.setComponentStatus(
        m,
        deployment,
        component,
        { ...next, jobOutputs: data.outputs, outputs: componentOutputs(component, data.outputs) },
        next.status === component.status ? component.message : (message ?? null),
      );
      this.crash.reached('event.before-commit', `event ${event.id}`);
      return true;
    });
    if (changed) {
      this.logger.debug('job event applied', { event_id: event.id, deployment_id: deploymentId, component_id: source.componentId, job_status: data.status });
      this.crash.reached('event.after-commit', `event ${event.id}`);
      this.writer.committed(deploymentId);
      this.reconciler.wake(deploymentId);
    }
  }
}
