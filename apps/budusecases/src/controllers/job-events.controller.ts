import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BUDGET_THRESHOLD_EVENT_TYPE, JOB_EVENTS_TOPIC, PUBSUB_NAME, cloudEventSchema } from '@bud/contracts';
import type { DaprSubscription } from '@bud/invocation';
import { Operation, Public } from '@bud/http';
import { BudgetEventsService } from '../services/deployments/budget-events.service';
import { JobEventsService } from '../services/deployments/job-events.service';
import { JobEventDeliveryGuard } from './job-event-delivery.guard';

export const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';

/**
 * The subscription contract Dapr uses (programmatic subscriptions); the direct transport calls it the same way.
 * Discovery is open (it names only the route); deliveries pass JobEventDeliveryGuard instead of the user AuthGuard.
 */
@Controller()
@Public()
export class JobEventsController {
  constructor(
    private readonly events: JobEventsService,
    private readonly budgetEvents: BudgetEventsService,
  ) {}

  @Get('dapr/subscribe')
  @Operation({ summary: 'Dapr programmatic subscriptions', public: true })
  subscriptions(): DaprSubscription[] {
    return [{ pubsubname: PUBSUB_NAME, topic: JOB_EVENTS_TOPIC, route: JOB_EVENTS_ROUTE }];
  }

  /** A malformed envelope is dropped (redelivery cannot fix it); other errors answer 5xx so Dapr redelivers. */
  @Post(JOB_EVENTS_ROUTE.slice(1))
  @UseGuards(JobEventDeliveryGuard)
  @HttpCode(200)
  @Operation({
    summary: "Receives budcluster job events (CloudEvents): only from Dapr pub/sub (dapr-api-token) or with budcluster's service token",
    body: cloudEventSchema,
    public: true,
    errors: [401, 503],
  })
  async receive(@Body() body: unknown): Promise<{ status: 'SUCCESS' | 'DROP' }> {
    const event = cloudEventSchema.safeParse(body);
    if (!event.success) return { status: 'DROP' };
    // The topic also carries budcluster's budget events (docs/design.md#budget-events); job events are the rest.
    if (event.data.type === BUDGET_THRESHOLD_EVENT_TYPE) await this.budgetEvents.handle(event.data);
    else await this.events.handle(event.data);
    return { status: 'SUCCESS' };
  }
}
