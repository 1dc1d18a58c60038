import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { StrictQueryGuard } from './strict-query.guard';

/** Every service's global guards, in the order they run: who is calling, then whether the query is one the route takes. */
export const HTTP_GUARDS: Provider[] = [
  { provide: APP_GUARD, useClass: AuthGuard },
  { provide: APP_GUARD, useClass: StrictQueryGuard },
];
