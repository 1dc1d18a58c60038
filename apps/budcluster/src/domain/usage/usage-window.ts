import { MAX_USAGE_RANGE_DAYS } from '@bud/contracts';
import { AppError } from '@bud/errors';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A half-open interval [from, to). */
export interface Span {
  from: Date;
  to: Date;
}

/**
 * docs/design.md#usage: a query's range, rounded down to the minute, and how it is read: whole hours from the hourly
 * rollup, the minutes before the first and after the last whole hour from the ledger, so any minute range is exact
 * while a long one reads few rows.
 */
export interface UsageWindow extends Span {
  /** Whole hours inside the range, read from `usage_hourly`; null when there is none. */
  hours: Span | null;
  /** The partial hours at either end, read from `usage_ledger` (none, one or two, each non-empty). */
  minutes: Span[];
}

/** The first year a query or an invoice may name: nothing is metered before 1970 (and Date.UTC maps years 0–99 to 19xx). */
export const FIRST_USAGE_YEAR = 1970;

const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number): number => Math.ceil(ms / unit) * unit;

function queryError(parameter: 'from' | 'to', message: string): AppError {
  const path = `query.${parameter}`;
  return AppError.validation(`the query is invalid: ${path} ${message}`, [{ path, message }]);
}

/**
 * The window of `from`..`to` (`to` defaults to `now`), both rounded down to the minute. Refused: `to` not after
 * `from` (422 naming `to`), a range longer than MAX_USAGE_RANGE_DAYS (422 naming `from`).
 */
export function usageWindow(fromText: string, toText: string | undefined, now: Date): UsageWindow {
  const from = floorTo(Date.parse(fromText), MINUTE_MS);
  const to = floorTo(toText === undefined ? now.getTime() : Date.parse(toText), MINUTE_MS);
  for (const [parameter, at] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (new Date(at).getUTCFullYear() < FIRST_USAGE_YEAR)
      throw queryError(parameter, `is in ${new Date(at).getUTCFullYear()}: nothing is metered before ${FIRST_USAGE_YEAR}`);
  }
  if (to <= from) {
    throw queryError(
      'to',
      toText === undefined
        ? `defaults to now (${new Date(to).toISOString()}), which is not after from (${new Date(from).toISOString()})`
        : `must be at least a minute after from (both are rounded down to the minute)`,
    );
  }
  if (to - from > MAX_USAGE_RANGE_DAYS * DAY_MS) {
    throw queryError('from', `is more than ${MAX_USAGE_RANGE_DAYS} days before to: query a year or less at a time`);
  }
  return splitWindow(from, to);
}

function splitWindow(from: number, to: number): UsageWindow {
  const firstHour = ceilTo(from, HOUR_MS);
  const lastHour = floorTo(to, HOUR_MS);
  const span = (a: number, b: number): Span => ({ from: new Date(a), to: new Date(b) });
  if (firstHour >= lastHour) return { ...span(from, to), hours: null, minutes: [span(from, to)] };
  const minutes: Span[] = [];
  if (from < firstHour) minutes.push(span(from, firstHour));
  if (lastHour < to) minutes.push(span(lastHour, to));
  return { ...span(from, to), hours: span(firstHour, lastHour), minutes };
}

/**
 * An invoice period `YYYY-MM` (its shape validated by the route) as its month in UTC. A year before 1970 is refused
 * (422 naming `period`): nothing is metered then, and Date.UTC would read the years 0–99 as 1900–1999.
 */
export function monthOf(period: string): Span {
  const [year, month] = period.split('-').map(Number);
  if (!(year >= FIRST_USAGE_YEAR)) {
    const message = `is in the year ${String(year).padStart(4, '0')}: nothing is metered before ${FIRST_USAGE_YEAR}`;
    throw AppError.validation(`the period ${message}`, [{ path: 'period', message }]);
  }
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}
