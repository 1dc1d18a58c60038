import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { DeploymentEvent } from '@bud/contracts';
import type { Clock } from '@bud/ports';
import { CLOCK } from '@bud/ports';
import { DeploymentRepository } from '../../repositories/deployment.repository';
import { DeploymentEventsHub } from './deployment-events-hub.service';
import { toEventResponse } from './deployment.mapper';

// Other replicas record events too; a slow poll catches those, the hub wakes us for our own at once.
const POLL_MS = 1000;
// Events are re-read for this long after they are recorded, to catch ids that committed out of order.
const LATE_COMMIT_WINDOW_MS = 30_000;

/**
 * Server-sent events of one deployment: history first, then every new event as it is recorded, at least
 * once (an event id may repeat after a reconnect; ids identify events).
 */
@Injectable()
export class DeploymentEventStream {
  constructor(
    private readonly deployments: DeploymentRepository,
    private readonly hub: DeploymentEventsHub,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async history(deploymentId: string): Promise<DeploymentEvent[]> {
    return (await this.deployments.events(deploymentId)).map(toEventResponse);
  }

  serve(deploymentId: string, request: Request, response: Response): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let lastId = String(request.headers['last-event-id'] ?? '0').replace(/\D/g, '') || '0';
    const sent = new Map<string, number>();
    let pumping = false;
    let again = false;
    const pump = async () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          const now = this.clock.now();
          for (const [id, at] of sent) if (at < now - 2 * LATE_COMMIT_WINDOW_MS) sent.delete(id);
          for (const event of await this.deployments.eventsForStream(deploymentId, lastId, new Date(now - LATE_COMMIT_WINDOW_MS))) {
            const id = String(event.id);
            // At least once: a resumed stream repeats the window's events; clients drop ids they have seen.
            if (sent.has(id)) continue;
            response.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(toEventResponse(event))}\n\n`);
            sent.set(id, now);
            if (BigInt(id) > BigInt(lastId)) lastId = id;
          }
        } while (again);
      } catch {
        // the database is briefly unavailable: the next wake or poll tries again
      } finally {
        pumping = false;
      }
    };
    const unsubscribe = this.hub.subscribe(deploymentId, () => void pump());
    const timer = setInterval(() => void pump(), POLL_MS);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    request.on('close', () => {
      unsubscribe();
      clearInterval(timer);
      clearInterval(heartbeat);
    });
    void pump();
  }
}
