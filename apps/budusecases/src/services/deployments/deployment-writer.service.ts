import { Inject, Injectable } from '@nestjs/common';
import type { Tx } from '@bud/database';
import type { CloudEvent, ComponentStatus, DeploymentStatus } from '@bud/contracts';
import { OutboxRelay } from '@bud/outbox';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { DeploymentEventsHub } from './deployment-events-hub.service';

/** Status changes of deployments and components: row, history event and outbox row together. */
@Injectable()
export class DeploymentWriter {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly hub: DeploymentEventsHub,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async setComponentStatus(
    manager: Tx,
    deployment: DeploymentRecord,
    component: DeploymentComponentRecord,
    fields: Partial<DeploymentComponentRecord> & { status: ComponentStatus },
    message: string | null,
  ): Promise<void> {
    const now = new Date(this.clock.now());
    await this.deployments.updateComponent(manager, deployment.id, component.id, { ...fields, message }, now);
    const healthMoved = fields.health !== undefined && fields.health !== component.health && component.health !== undefined;
    if (fields.status !== component.status || healthMoved) {
      // A health move is told like a status move (same status), so streams and subscribers see a component degrade.
      const said = fields.status === component.status ? healthNote(fields) : message;
      await this.deployments.addEvent(
        manager,
        deployment.id,
        { type: 'component.status', componentId: component.id, status: fields.status, message: said },
        now,
      );
      await this.deployments.addOutbox(
        manager,
        usecaseEvent(
          deployment,
          `component.${fields.status}`,
          { component_id: component.id, status: fields.status, message: said, health: fields.health ?? component.health ?? null },
          now,
        ),
        now,
      );
    }
  }

  async setDeploymentStatus(
    manager: Tx,
    deployment: DeploymentRecord,
    status: DeploymentStatus,
    message: string | null,
  ): Promise<DeploymentRecord> {
    const now = new Date(this.clock.now());
    const updated =
      (await this.deployments.updateDeployment(manager, deployment.id, { status, statusMessage: message }, now)) ?? deployment;
    await this.deployments.addEvent(manager, deployment.id, { type: 'deployment.status', status, message }, now);
    await this.deployments.addOutbox(manager, usecaseEvent(updated, status, { status, message }, now), now);
    return updated;
  }

  async action(manager: Tx, deployment: DeploymentRecord, message: string, componentId: string | null = null): Promise<void> {
    await this.deployments.addEvent(manager, deployment.id, { type: 'action', componentId, message }, new Date(this.clock.now()));
  }

  /** After commit: live streams and the relay learn at once. */
  committed(deploymentId: string): void {
    this.hub.notify(deploymentId);
    this.relay.wake();
  }
}

function healthNote(fields: Partial<DeploymentComponentRecord>): string {
  return fields.healthMessage ? `health ${fields.health}: ${fields.healthMessage}` : `health ${fields.health}`;
}

function usecaseEvent(deployment: DeploymentRecord, suffix: string, data: Record<string, unknown>, at: Date): CloudEvent {
  return {
    specversion: '1.0',
    id: `${deployment.id}:${deployment.version}:${suffix}:${at.getTime()}`,
    source: 'budusecases',
    type: `bud.usecase.${suffix}`,
    time: at.toISOString(),
    datacontenttype: 'application/json',
    data: { deployment_id: deployment.id, tenant_id: deployment.tenantId, cluster_id: deployment.clusterId, run: deployment.run, ...data },
  };
}
