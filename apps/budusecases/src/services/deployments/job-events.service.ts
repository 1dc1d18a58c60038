import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { jobEventDataSchema } from '@bud/contracts';
import type { CloudEvent, JobEventData } from '@bud/contracts';
import { Logger } from '@bud/logging';
import { foldJobEvent, parseJobSourceId } from '../../domain/deployment/job-event-fold';
import { confirmJobEvent, screenJobEvent } from '../../domain/deployment/job-event-trust';
import type { JobFacts } from '../../domain/deployment/job-event-trust';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { BudclusterClient } from './budcluster.client';
import { componentOutputs } from '../../domain/deployment/component-outputs';
import { CrashPoints } from '../crash-points';
import { DeploymentWriter } from './deployment-writer.service';
import { Reconciler } from './reconciler.service';
import type { ServiceTokenSigner } from '../tokens';
import { SERVICE_TOKEN_SIGNER } from '../tokens';

type UsecaseEvent = {
  id: string;
  data: JobEventData;
  deploymentId: string;
  source: { componentId: string; run: number; revision: number };
};

/**
 * Consumes budcluster's `job-events` (at least once, any order): each event that passes the trust checks
 * is folded into its component by job version, so duplicates and stale deliveries change nothing, then
 * the reconciler wakes. An event that fails them is logged and dropped; redelivery could not fix it.
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger('job-events');

  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly writer: DeploymentWriter,
    private readonly reconciler: Reconciler,
    private readonly crash: CrashPoints,
    private readonly budcluster: BudclusterClient,
    @Inject(SERVICE_TOKEN_SIGNER) private readonly signToken: ServiceTokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
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
    const facts = await this.trustedFacts({ id: event.id, data, deploymentId: data.usecase_deployment_id, source });
    if (facts) await this.fold({ id: event.id, data, deploymentId: data.usecase_deployment_id, source }, facts);
  }

  /** What the event may change, or null when it is dropped: unknown, of an earlier run, or failing a trust check. */
  private async trustedFacts(event: UsecaseEvent): Promise<JobFacts | null> {
    const deployment = await this.deployments.findById(event.deploymentId);
    const component = deployment
      ? (await this.deployments.components(deployment.id)).find((c) => c.id === event.source.componentId)
      : undefined;
    if (!deployment || !component) {
      this.logger.debug('job event for an unknown component', {
        event_id: event.id,
        deployment_id: event.deploymentId,
        component_id: event.source.componentId,
      });
      return null;
    }
    // Events of earlier runs and replaced revisions are expected after start and update; the fold ignores them.
    if (event.source.run !== deployment.run || event.source.revision !== component.revision || event.data.version <= component.jobVersion)
      return event.data;
    const screening = screenJobEvent(event.data, { deployment, component });
    if (screening.verdict === 'refuse') return this.refuse(event, deployment, component, screening.reason);
    if (screening.verdict === 'trust') return event.data;
    const job = await this.budcluster.getJob(await this.signToken(deployment.tenantId), deployment.clusterId, event.data.job_id);
    const confirmed = confirmJobEvent(event.data, deployment, job);
    if ('refuse' in confirmed) return this.refuse(event, deployment, component, `${screening.because}, and ${confirmed.refuse}`);
    return confirmed.facts;
  }

  private refuse(event: UsecaseEvent, deployment: DeploymentRecord, component: DeploymentComponentRecord, reason: string): null {
    this.logger.warn('dropped an untrusted job event', {
      event_id: event.id,
      deployment_id: deployment.id,
      component_id: component.id,
      job_id: event.data.job_id,
      job_version: event.data.version,
      reason,
    });
    return null;
  }

  private async fold(event: UsecaseEvent, facts: JobFacts): Promise<void> {
    const { deploymentId, source } = event;
    const changed = await this.deployments.transaction(async (m) => {
      const component = await this.deployments.lockComponent(m, deploymentId, source.componentId);
      const deployment = component ? await this.deployments.findById(deploymentId, m) : null;
      if (!component || !deployment) return false;
      const next = foldJobEvent(
        component,
        {
          jobId: facts.job_id,
          version: facts.version,
          status: facts.status,
          run: source.run,
          revision: source.revision,
          health: facts.health,
          healthReason: facts.health_reason,
          healthMessage: facts.health_message,
          rollout: facts.rollout,
        },
        { run: deployment.run, desired: deployment.desiredState, now: new Date(this.clock.now()) },
      );
      if (!next) {
        this.logger.debug('job event changes nothing', {
          event_id: event.id,
          job_version: component.jobVersion,
          job_id: component.jobId,
          run: deployment.run,
        });
        return false;
      }
      const message = facts.status_message ?? facts.status_reason;
      await this.writer.setComponentStatus(
        m,
        deployment,
        component,
        { ...next, jobOutputs: facts.outputs, outputs: componentOutputs(component, facts.outputs) },
        next.status === component.status ? component.message : (message ?? null),
      );
      this.crash.reached('event.before-commit', `event ${event.id}`);
      return true;
    });
    if (changed) {
      this.logger.debug('job event applied', {
        event_id: event.id,
        deployment_id: deploymentId,
        component_id: source.componentId,
        job_status: facts.status,
      });
      this.crash.reached('event.after-commit', `event ${event.id}`);
      this.writer.committed(deploymentId);
      this.reconciler.wake(deploymentId);
    }
  }
}
