import { Injectable, createParamDecorator } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { operationOf } from './openapi';
import { parseQuery } from './query-rules';

type RequestWithQuery = Request & { validQuery?: unknown };

/**
 * Every route's query is checked against the schema its `@Operation({ query })` declares — the same one the
 * OpenAPI document shows — and a route that declares none accepts no parameters at all. Global, so a new
 * route cannot forget it; an interceptor, so it runs after authentication.
 */
@Injectable()
export class StrictQueryInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<RequestWithQuery>();
      request.validQuery = parseQuery(operationOf(context.getHandler())?.query, request.query);
    }
    return next.handle();
  }
}

/** The query parsed by `StrictQueryInterceptor` with the route's declared schema. */
export const ValidQuery = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<RequestWithQuery>().validQuery;
});
