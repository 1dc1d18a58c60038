import { Injectable } from '@nestjs/common';
import { budgetThresholdEventDataSchema } from '@bud/contracts';
import type { BudgetThresholdEventData, CloudEvent } from '@bud/contracts';
import { Logger } from '@bud/logging';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { DeploymentService } from './deployment.service';

/**
 * docs/design.md#budget-events: budcluster publishes `bud.budget.threshold_crossed` once per budget, threshold and
 * month on the job-events topic. A `stop` budget at 100% (or a threshold above it) stops the running deployments of
 * its scope — the tenant's, or one project's — with the data-safe stop a user's stop uses (volumes are kept), and each
 * stopped deployment's event names the budget and the month. Other crossings only inform; a redelivery stops nothing
 * twice (a stopped deployment is left alone).
 */
@Injectable()
export class BudgetEventsService {
  private readonly logger = new Logger('budget-events');

  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly service: DeploymentService,
  ) {}

  async handle(event: CloudEvent): Promise<void> {
    const parsed = budgetThresholdEventDataSchema.safeParse(event.data);
    if (!parsed.success) {
      this.logger.warn('dropped a malformed budget event', { event_id: event.id, error: parsed.error.issues[0]?.message });
      return;
    }
    const data = parsed.data;
    if (data.action !== 'stop' || data.threshold < 100) {
      this.logger.debug('budget threshold crossed; nothing to stop', {
        event_id: event.id,
        budget_id: data.budget_id,
        threshold: data.threshold,
      });
      return;
    }
    const running = await this.deployments.desiredRunning(data.tenant_id, data.project_id);
    const message = stopMessage(data);
    let stopped = 0;
    for (const deployment of running) if (await this.service.stopForBudget(deployment.id, message)) stopped++;
    this.logger.info('budget stop', {
      event_id: event.id,
      budget_id: data.budget_id,
      tenant_id: data.tenant_id,
      project_id: data.project_id,
      period: data.period,
      stopped,
    });
  }
}

export function stopMessage(data: BudgetThresholdEventData): string {
  const scope = data.project_id ? `project ${data.project_id}'s` : "the tenant's";
  return (
    `stopped by ${scope} budget ${data.budget_id}: ${data.period} spend $${data.spent} reached ${data.threshold}% ` +
    `of $${data.monthly_amount} (data kept; start it again to resume)`
  );
}
