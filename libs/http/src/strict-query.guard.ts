import { Injectable, createParamDecorator } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { operationOf } from './openapi';
import { parseQuery } from './query-rules';

type RequestWithQuery = Request & { validQuery?: unknown };

/**
 * Every route's query is checked against the schema its `@Operation({ query })` declares — the same one the
 * OpenAPI document shows — and a route that declares none accepts no parameters at all. A global guard
 * registered after AuthGuard (HTTP_GUARDS), so a new route cannot forget it and it runs after authentication;
 * a guard rather than an interceptor, because any interceptor puts every request through an rxjs pipeline.
 */
@Injectable()
export class StrictQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<RequestWithQuery>();
      request.validQuery = parseQuery(operationOf(context.getHandler())?.query, request.query);
    }
    return true;
  }
}

/** The query parsed by `StrictQueryGuard` with the route's declared schema. */
export const ValidQuery = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<RequestWithQuery>().validQuery;
});
