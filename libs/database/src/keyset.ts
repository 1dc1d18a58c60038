import { decodeCursor, encodeCursor, filterFingerprint } from '@bud/contracts';
import type { KeysetPosition } from '@bud/contracts';
import { AppError } from '@bud/errors';

/**
 * SQL pieces of keyset pagination over `created_at desc, id desc` (docs/design.md#lists-and-pagination), for any
 * table with those two columns and an index ending in them.
 */
export const KEYSET_ORDER = 'created_at DESC, id DESC';

/** Selected beside a row: its created_at to the microsecond, as text, for the cursor after it. */
export const KEYSET_MICROS = `(extract(epoch FROM created_at) * 1000000)::bigint::text AS keyset_micros`;

/** Rows strictly after `position` in the order; `$micros` and `$id` are the parameter numbers of its two values. */
export function keysetAfter(micros: number, id: number): string {
  return `(created_at, id) < ('epoch'::timestamptz + $${micros}::bigint * interval '1 microsecond', $${id}::uuid)`;
}

export function keysetParams(position: KeysetPosition): [string, string] {
  return [position.createdAtMicros, position.id];
}

/**
 * The position `query.cursor` names, or null without one. A cursor that is not ours, that was made under other
 * filters, or that comes with a page past the first is a 422 naming the field: never a 500, never a silent restart.
 */
export function cursorPosition(query: { page: number; cursor?: string }, filters: Record<string, unknown>): KeysetPosition | null {
  if (query.cursor === undefined) return null;
  if (query.page !== 1) {
    throw AppError.validation('page cannot be combined with cursor: the cursor says where the page starts', [
      { path: 'query.page', message: 'must be 1 or absent when cursor is given' },
    ]);
  }
  const decoded = decodeCursor(query.cursor);
  if ('error' in decoded) throw AppError.validation(`cursor ${decoded.error}`, [{ path: 'query.cursor', message: decoded.error }]);
  if (decoded.filters !== filterFingerprint(filters)) {
    const message = 'was made under other filters; start again from the first page';
    throw AppError.validation(`cursor ${message}`, [{ path: 'query.cursor', message }]);
  }
  return decoded.position;
}

type Paging = 'page' | 'page_size' | 'cursor';

/** A list query's filters: everything but where the page starts and how long it is. */
export function listFilters<Q extends { page: number; page_size: number; cursor?: string }>(query: Q): Omit<Q, Paging> {
  const paging: readonly string[] = ['page', 'page_size', 'cursor'];
  return Object.fromEntries(Object.entries(query).filter(([key]) => !paging.includes(key))) as Omit<Q, Paging>;
}

/** A selected row without the keyset_micros the page's cursor was read from. */
export function withoutKeyset(row: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...row };
  delete copy.keyset_micros;
  return copy;
}

/** The cursor after a page's last row (its `keyset_micros` and id), for the same filters. */
export function cursorAfter(last: { keyset_micros: unknown; id: unknown }, filters: Record<string, unknown>): string {
  return encodeCursor({ createdAtMicros: String(last.keyset_micros), id: String(last.id) }, filterFingerprint(filters));
}
