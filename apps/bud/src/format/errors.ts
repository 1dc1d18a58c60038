import { cleanCell } from './table';
import { ApiError, CommandFailed, ConnectionError, EXIT_FAILURE, EXIT_USAGE, UsageError } from '../errors';

/** What stderr says about a failure: the message, each field path the platform named, and what to try. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return [`error: ${error.message}`, error.usage ?? "Run 'bud --help' for usage."].join('\n');
  if (error instanceof ApiError) return describeApiError(error);
  if (error instanceof ConnectionError) {
    const flag = error.service === 'budusecases' ? '--api-url (BUD_API_URL)' : '--cluster-api-url (BUD_CLUSTER_API_URL)';
    return [
      `error: ${error.message}`,
      `Is the platform running? Start it with 'npm start' in the repository, or point ${flag} at ${error.service}.`,
    ].join('\n');
  }
  if (error instanceof CommandFailed) return `error: ${error.message}`;
  return `error: ${(error as Error)?.message ?? String(error)}`;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

function describeApiError(error: ApiError): string {
  const lines = [`error: ${cleanCell(error.message)}`];
  const details = error.body?.details ?? [];
  // A single field is usually already in the message; several are listed one per line.
  const alreadySaid = details.length === 1 && error.message.includes(`${details[0].path} ${details[0].message}`);
  if (!alreadySaid) for (const detail of details) lines.push(`  ${cleanCell(detail.path)}: ${cleanCell(detail.message)}`);
  if (error.status === 401) lines.push(`${error.service} needs a token: pass --token or set BUD_TOKEN.`);
  if (error.status === 403) lines.push('Your token lacks the scope this needs.');
  if (error.body?.error_id) lines.push(`(error id ${error.body.error_id}: quote it when reporting this)`);
  return lines.join('\n');
}
