import { randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@bud/contracts';
import { isDatabaseUnavailable } from '@bud/database';
import { AppError, httpStatusOf } from '@bud/errors';
import { Logger } from '@bud/logging';

const logger = new Logger('http-errors');

const codeByStatus: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  503: 'service_unavailable',
};

/** Turns anything thrown while serving a request into the one error body of docs/design.md#errors. */
export function toErrorBody(error: unknown, request?: { method?: string; url?: string }): ErrorBody {
  if (error instanceof AppError) {
    return {
      status_code: httpStatusOf(error.code),
      error: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  const bodyParserType = (error as { type?: string } | null)?.type;
  if (bodyParserType === 'entity.too.large') {
    return { status_code: 413, error: 'payload_too_large', message: 'the request body exceeds the 1 MiB limit' };
  }
  if (bodyParserType === 'entity.parse.failed') {
    return { status_code: 400, error: 'bad_request', message: `the request body is not valid JSON: ${(error as Error).message}` };
  }
  if (bodyParserType && (error as { status?: number }).status && (error as { status: number }).status < 500) {
    const status = (error as { status: number }).status;
    return { status_code: status, error: codeByStatus[status] ?? 'bad_request', message: (error as Error).message };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const message = status === 404 ? `no route ${request?.method ?? ''} ${request?.url ?? ''}`.trim() : error.message;
    return { status_code: status, error: codeByStatus[status] ?? 'bad_request', message };
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn('database unavailable', { error: (error as Error).message, method: request?.method, url: request?.url });
    return { status_code: 503, error: 'service_unavailable', message: 'the database is unavailable right now; retry shortly' };
  }
  const errorId = randomUUID();
  logger.error('unhandled error', {
    error_id: errorId,
    method: request?.method,
    url: request?.url,
    error: (error as Error)?.stack ?? String(error),
  });
  return { status_code: 500, error: 'internal_error', message: 'an internal error occurred', error_id: errorId };
}
