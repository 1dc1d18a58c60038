import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { BUDGET_THRESHOLD_EVENT_TYPE, JOB_EVENTS_TOPIC, PUBSUB_NAME, cloudEventSchema } from '@bud/contracts';
import { MAX_BULK_ENTRIES, eventSubject, inSubjectOrder, isBulkEnvelope, readBulkEntries } from '@bud/invocation';
import type { BulkAnswer, DaprSubscription, DeliveryOutcome } from '@bud/invocation';
import { Operation, Public, findBodyViolation } from '@bud/http';
import { Logger } from '@bud/logging';
import { BudgetEventsService } from '../services/deployments/budget-events.service';
import { JobEventsService } from '../services/deployments/job-events.service';
import { JobEventDelivery } from './job-event-delivery.guard';

export const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';
/** Subjects (jobs) of one bulk delivery handled at once; each job's own events one after another. */
const BULK_CONCURRENCY = 16;

/**
 * The subscription contract Dapr uses (programmatic subscriptions); the direct transport calls it the same way.
 * Discovery is open (it names only the route); deliveries pass JobEventDeliveryGuard instead of the user AuthGuard.
 * The route takes one CloudEvent or a bulk envelope (docs/design.md#events): Dapr's sidecar waits at most
 * maxAwaitDurationMs to fill a bulk, so events still arrive promptly when they are few.
 */
@Controller()
@Public()
export class JobEventsController {
  private readonly logger = new Logger('job-events');

  constructor(
    private readonly events: JobEventsService,
    private readonly budgetEvents: BudgetEventsService,
  ) {}

  @Get('dapr/subscribe')
  @Operation({ summary: 'Dapr programmatic subscriptions', public: true })
  subscriptions(): DaprSubscription[] {
    return [
      {
        pubsubname: PUBSUB_NAME,
        topic: JOB_EVENTS_TOPIC,
        route: JOB_EVENTS_ROUTE,
        bulkSubscribe: { enabled: true, maxMessagesCount: MAX_BULK_ENTRIES, maxAwaitDurationMs: 50 },
      },
    ];
  }

  /**
   * A malformed event is dropped (redelivery cannot fix it); other errors answer 5xx for a single event, RETRY for
   * a bulk entry, so it comes again. In a bulk, a job's events after its first RETRY are answered RETRY unapplied.
   */
  @Post(JOB_EVENTS_ROUTE.slice(1))
  @JobEventDelivery()
  @HttpCode(200)
  @Operation({
    summary:
      "Receives budcluster job events, one CloudEvent or a Dapr bulk envelope: only from Dapr pub/sub (dapr-api-token) or with budcluster's service token",
    body: cloudEventSchema,
    public: true,
    errors: [401, 422, 503],
  })
  async receive(@Body() body: unknown): Promise<{ status: 'SUCCESS' | 'DROP' } | BulkAnswer> {
    if (isBulkEnvelope(body)) return this.receiveBulk(body);
    return { status: await this.receiveOne(body) };
  }

  private async receiveBulk(body: { entries: unknown }): Promise<BulkAnswer> {
    const entries = readBulkEntries(body);
    const outcomes = await inSubjectOrder(
      entries,
      (entry) => eventSubject(entry.event) ?? `#${entry.entryId}`,
      BULK_CONCURRENCY,
      async (entry): Promise<DeliveryOutcome> => {
        try {
          return { status: await this.receiveOne(entry.event) };
        } catch (error) {
          this.logger.warn('a job event of a bulk delivery failed; asked for redelivery', {
            entry_id: entry.entryId,
            event_id: (entry.event as { id?: unknown } | undefined)?.id,
            error: (error as Error).message,
          });
          return { status: 'RETRY' };
        }
      },
    );
    return { statuses: entries.map((entry, i) => ({ entryId: entry.entryId, status: outcomes[i].status })) };
  }

  private async receiveOne(body: unknown): Promise<'SUCCESS' | 'DROP'> {
    // A bulk entry's event may arrive as a JSON string, parsed after the body's own bounds were checked.
    if (findBodyViolation(body)) return 'DROP';
    const event = cloudEventSchema.safeParse(body);
    if (!event.success) return 'DROP';
    // The topic also carries budcluster's budget events (docs/design.md#budget-events); job events are the rest.
    if (event.data.type === BUDGET_THRESHOLD_EVENT_TYPE) await this.budgetEvents.handle(event.data);
    else await this.events.handle(event.data);
    return 'SUCCESS';
  }
}
