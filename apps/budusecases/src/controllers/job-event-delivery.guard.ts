import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ServiceTokens, bearerToken } from '@bud/auth';
import { AppError } from '@bud/errors';

/** Dapr's app API token (APP_API_TOKEN), the one its sidecar sends as `dapr-api-token`; undefined without Dapr. */
export const DAPR_APP_API_TOKEN = Symbol('DAPR_APP_API_TOKEN');

const JOB_EVENT_DELIVERY = 'bud:job-event-delivery';
/** Marks the route job events are delivered to: JobEventDeliveryGuard checks its callers. */
export const JobEventDelivery = () => SetMetadata(JOB_EVENT_DELIVERY, true);

/**
 * Job events are budcluster's word about its jobs, so only two senders are believed: our Dapr sidecar
 * delivering from pub/sub (the app API token) and budcluster itself over the direct transport (its
 * service token for budusecases). User tokens, even platform:admin, never are. Global (httpGuards), so a
 * delivery's caller is judged before its query; it acts on `@JobEventDelivery()` routes only.
 */
@Injectable()
export class JobEventDeliveryGuard implements CanActivate {
  constructor(
    private readonly serviceTokens: ServiceTokens,
    private readonly reflector: Reflector,
    @Inject(DAPR_APP_API_TOKEN) private readonly appApiToken: string | undefined,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.reflector.get<boolean>(JOB_EVENT_DELIVERY, context.getHandler())) return true;
    const headers = context.switchToHttp().getRequest<Request>().headers;
    if (this.fromSidecarPubSub(headers)) return true;
    const token = bearerToken(headers.authorization);
    const caller = token ? await this.serviceTokens.tryVerify(token, 'budusecases') : null;
    if (caller?.service === 'budcluster') return true;
    throw new AppError(
      'unauthenticated',
      "job events are accepted only from Dapr pub/sub (dapr-api-token) or with budcluster's service token",
    );
  }

  private fromSidecarPubSub(headers: Request['headers']): boolean {
    const presented = headers['dapr-api-token'];
    if (!this.appApiToken || typeof presented !== 'string' || !sameSecret(presented, this.appApiToken)) return false;
    // The sidecar adds its app token to service invocations too; those name their caller, pub/sub deliveries do not.
    return headers['dapr-caller-app-id'] === undefined;
  }
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
