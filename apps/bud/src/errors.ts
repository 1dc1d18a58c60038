import type { ErrorBody } from '@bud/contracts';

export type ServiceName = 'budusecases' | 'budcluster';

/** The command line itself is wrong (unknown command or option, missing argument): exit 2 with usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Usage of the command that was meant, shown under the message. */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A service answered with an error status; `body` is its error body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    readonly body: ErrorBody | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A service could not be reached at all. */
export class ConnectionError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${service} at ${url} (${reason})`);
    this.name = 'ConnectionError';
  }
}

/** The request worked but the outcome is a failure: a deployment failed, a wait timed out, a name is unknown. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
