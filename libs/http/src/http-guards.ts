import type { CanActivate, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { StrictQueryGuard } from './strict-query.guard';

/**
 * A service's global guards, in the order they run: who is calling (AuthGuard, then `callerGuards` — a service's own
 * checks of who may call particular routes), then whether the query is one the route takes. Nest runs global guards
 * before a route's own, so a caller check that must come before the query check is global and picks its routes itself.
 */
export function httpGuards(...callerGuards: Array<Type<CanActivate>>): Provider[] {
  return [
    { provide: APP_GUARD, useClass: AuthGuard },
    ...callerGuards.map((guard) => ({ provide: APP_GUARD, useClass: guard })),
    { provide: APP_GUARD, useClass: StrictQueryGuard },
  ];
}

export const HTTP_GUARDS: Provider[] = httpGuards();
