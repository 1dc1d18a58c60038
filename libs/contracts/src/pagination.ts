import { z } from 'zod';
import { paginationQuerySchema } from './common';

/**
 * Keyset pagination (docs/design.md#lists-and-pagination): `?cursor=` carries the last row's exact sort key
 * (created_at in epoch microseconds, and id) and a fingerprint of the filters it was made under, so the next page
 * is read from the index where the previous one stopped and costs what the first page costs.
 */
export const MAX_CURSOR_LENGTH = 512;
const CURSOR_VERSION = 1;
/** Within PostgreSQL's timestamptz range with room to spare (about ±3,000 years around 1970). */
const MICROS_PATTERN = /^-?\d{1,17}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FINGERPRINT_PATTERN = /^[0-9a-f]{16}$/;

/** Where a newest-first (`created_at desc, id desc`) page stopped: its last row's key. */
export interface KeysetPosition {
  /** created_at in microseconds since the epoch, as digits: a JS Date would drop the microseconds. */
  createdAtMicros: string;
  id: string;
}

export interface DecodedCursor {
  position: KeysetPosition;
  /** filterFingerprint() of the filters the cursor was made under. */
  filters: string;
}

export const cursorTokenSchema = z
  .string()
  .min(1)
  .max(MAX_CURSOR_LENGTH)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a next_cursor token from a previous page');

/** The list query of a keyset-paged route: `page` and `page_size` as before, plus `cursor`. */
export const keysetPaginationQuerySchema = paginationQuerySchema.extend({
  cursor: cursorTokenSchema
    .optional()
    .describe('next_cursor of the previous page (same filters); page must then be 1 or absent. Rows are never skipped or repeated.'),
});

export function encodeCursor(position: KeysetPosition, filters: string): string {
  const json = JSON.stringify([CURSOR_VERSION, position.createdAtMicros, position.id, filters]);
  return btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cursor's position and filters, or why it is not one of ours: bad input, never an exception. */
export function decodeCursor(token: string): DecodedCursor | { error: string } {
  const invalid = { error: 'is not a next_cursor token from a previous page' };
  if (token.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(token.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return invalid;
  const [version, micros, id, filters] = parsed as unknown[];
  if (version !== CURSOR_VERSION) return invalid;
  if (typeof micros !== 'string' || !MICROS_PATTERN.test(micros)) return invalid;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) return invalid;
  if (typeof filters !== 'string' || !FINGERPRINT_PATTERN.test(filters)) return invalid;
  return { position: { createdAtMicros: micros, id }, filters };
}

/**
 * A short, stable digest of a list's filters (key order, value order and absent keys do not matter), so a cursor
 * made under one filter is refused under another instead of paging a different set from the wrong place. Not a
 * secret: the cursor only moves within the caller's own list.
 */
export function filterFingerprint(filters: Record<string, unknown>): string {
  const text = canonical(filters);
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193);
}

function canonical(value: unknown): string {
  // A filter's list of values is a set: `status=failed,cancelled` and `status=cancelled,failed` are one filter.
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
