import type { ErrorBody } from '@bud/contracts';

export interface FieldProblem {
  path: string;
  message: string;
}

/** A failed API call, already worded for people: the server's message and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Problems keyed by the last part of their path, e.g. `parameters.top_k` → `top_k`. */
  fieldProblems(prefix: string): Record<string, string> {
    const problems: Record<string, string> = {};
    for (const d of this.details) if (d.path.startsWith(`${prefix}.`)) problems[d.path.slice(prefix.length + 1)] = d.message;
    return problems;
  }

  static async from(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let body: Partial<ErrorBody> | null = null;
    try {
      body = JSON.parse(text) as Partial<ErrorBody>;
    } catch {
      body = null;
    }
    if (body && typeof body.message === 'string')
      return new ApiError(response.status, body.message, Array.isArray(body.details) ? body.details : []);
    if (response.status === 502 || response.status === 503 || response.status === 504)
      return new ApiError(response.status, 'The platform service is not reachable. Is `npm start` running?');
    return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`.trim());
  }
}

/** One readable line for any failure: the message, then each named field. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.details.length === 0
      ? error.message
      : `${error.message}: ${error.details.map((d) => `${d.path} ${d.message}`).join('; ')}`;
  }
  if (error instanceof TypeError) return 'Cannot reach the platform. Check that it is running and try again.';
  return error instanceof Error ? error.message : String(error);
}
