import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Histogram } from 'prom-client';
import { NestLoggerAdapter } from '@bud/logging';
import { AppError } from '@bud/errors';
import { findBodyViolation } from './bounded-body';
import { JSON_MEDIA_TYPES, hasBody, unsupportedBodyError } from './json-body';
import { toErrorBody } from './error-body';
import { ErrorFilter } from './error.filter';
import { latencyMiddleware } from './metrics';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  openApiDocument: Record<string, unknown>;
  latency: Histogram;
  corsOrigins?: string[];
}

/** The HTTP surface every service shares: 1 MiB JSON bodies, one error shape, latency metrics, /api/docs. */
export async function createHttpApp(
  rootModule: Parameters<typeof NestFactory.create>[0],
  options: HttpAppOptions,
): Promise<INestApplication> {
  // abortOnError: false — a provider that fails (the database connection, a migration) rejects the start instead of
  // exiting the process, so callers see the error as they did when the database was opened before the module.
  const app = await NestFactory.create(rootModule, { bodyParser: false, logger: new NestLoggerAdapter(), abortOnError: false });
  const jsonParser = express.json({ limit: MAX_BODY_BYTES, strict: true, type: JSON_MEDIA_TYPES });
  const server = app.getHttpAdapter().getInstance() as express.Express;
  // No ETag: hashing every answer costs each request a digest no client of this API revalidates with.
  server.set('etag', false);
  server.disable('x-powered-by');
  app.use(latencyMiddleware(options.latency));
  app.use((request: Request, response: Response, next: NextFunction) => {
    const unsupported = unsupportedBodyError(request.headers);
    if (unsupported) {
      const body = toErrorBody(unsupported);
      response.status(body.status_code).json(body);
      return;
    }
    // No body stays undefined (not the parser's `{}`), so a route that needs one can say so.
    if (!hasBody(request.headers)) return next();
    jsonParser(request, response, (error?: unknown) => {
      const violation = error ? null : findBodyViolation(request.body);
      if (!error && !violation) return next();
      const body = violation
        ? toErrorBody(AppError.validation(`the request body is invalid: ${violation.path} ${violation.message}`, [violation]))
        : toErrorBody(error, request);
      response.status(body.status_code).json(body);
    });
  });
  if (options.corsOrigins?.length) app.enableCors({ origin: options.corsOrigins });
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  SwaggerModule.setup('api/docs', app, options.openApiDocument as unknown as OpenAPIObject, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

/**
 * Stops accepting, lets in-flight requests finish for a moment, then drops what is left (open SSE
 * streams, pooled keep-alive sockets) so shutdown never waits out the keep-alive timeout.
 */
export async function closeHttpApp(app: INestApplication, graceMs = 3000): Promise<void> {
  const server = app.getHttpServer() as Server;
  const closing = app.close();
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  force.unref();
  await closing;
  clearTimeout(force);
}
