import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '@bud/contracts';
import { httpStatusOf } from '@bud/errors';
import type { AppError } from '@bud/errors';

/** The platform's one error body, from budadmin's own server. */
export function sendError(response: ServerResponse, error: AppError): void {
  const body: ErrorBody = { status_code: httpStatusOf(error.code), error: error.code, message: error.message };
  response.writeHead(body.status_code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
