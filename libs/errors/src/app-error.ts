import type { ErrorCode } from '@bud/contracts';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error type services throw; the HTTP filter turns it into the body of docs/design.md#errors. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `${what} '${id}' was not found`);
  }

  static validation(message: string, details: ErrorDetail[]): AppError {
    return new AppError('validation_failed', message, details);
  }

  static conflict(message: string): AppError {
    return new AppError('conflict', message);
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'invalid_transition':
    case 'read_only':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'validation_failed':
      return 422;
    case 'internal_error':
      return 500;
    // A dependency that is down or failing is a 503 (docs/design.md#errors): the request may succeed when retried.
    case 'upstream_unavailable':
    case 'service_unavailable':
      return 503;
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}
