import { AppError } from '@bud/errors';
import type { CloudEvent } from '@bud/contracts';
import type { DeliveryStatus } from './event-publisher';

/**
 * Dapr's bulk subscribe shapes (dapr/dapr pkg/runtime/pubsub/bulksubscribe_events.go, components-contrib
 * pubsub/responses.go): one POST carries many events, and the answer names a status per entry. Our direct
 * transport sends the same envelope, so one subscriber route serves both.
 */
export const BULK_EVENT_TYPE = 'com.dapr.event.sent.bulk';
/** Most entries in one bulk delivery: the relay's claim size, Dapr's default maxMessagesCount. */
export const MAX_BULK_ENTRIES = 100;
/** A bulk body stays under the 1 MiB every service accepts (libs/http), with room for the envelope around the entries. */
export const MAX_BULK_BODY_BYTES = 1024 * 1024 - 4096;

export interface BulkEntry {
  entryId: string;
  /** The CloudEvent (Dapr sends a JSON event as an object; a string is parsed as JSON). */
  event: unknown;
}

export interface BulkAnswer {
  statuses: Array<{ entryId: string; status: DeliveryStatus }>;
}

/** One entry as JSON, serialized once so the sender can bound a body's bytes before it builds it. */
export function bulkEntryJson(entryId: string, event: CloudEvent, pubsubname: string, topic: string): string {
  return JSON.stringify({ entryId, event: { ...event, topic, pubsubname }, contentType: 'application/cloudevents+json', metadata: {} });
}

export function bulkBody(id: string, pubsubname: string, topic: string, entriesJson: readonly string[]): string {
  return `{"id":${JSON.stringify(id)},"type":"${BULK_EVENT_TYPE}","pubsubname":${JSON.stringify(pubsubname)},"topic":${JSON.stringify(topic)},"metadata":{},"entries":[${entriesJson.join(',')}]}`;
}

/** A bulk envelope has an `entries` array; a single delivery is a CloudEvent (it has `specversion`). */
export function isBulkEnvelope(body: unknown): body is { entries: unknown } {
  return typeof body === 'object' && body !== null && 'entries' in body && !('specversion' in body);
}

/**
 * The entries of a bulk envelope, in order. An envelope past MAX_BULK_ENTRIES is refused whole (no sender of ours
 * builds one); an entry without a usable entryId is skipped (there is no id to answer it by, so Dapr retries it).
 */
export function readBulkEntries(body: { entries: unknown }): BulkEntry[] {
  const { entries } = body;
  if (!Array.isArray(entries))
    throw AppError.validation('a bulk delivery carries an entries array', [{ path: 'entries', message: 'must be an array' }]);
  if (entries.length > MAX_BULK_ENTRIES)
    throw AppError.validation(`a bulk delivery carries at most ${MAX_BULK_ENTRIES} entries`, [
      { path: 'entries', message: `has ${entries.length} entries; at most ${MAX_BULK_ENTRIES}` },
    ]);
  const read: BulkEntry[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { entryId, event } = entry as { entryId?: unknown; event?: unknown };
    if (typeof entryId !== 'string' || entryId.length === 0 || entryId.length > 200) continue;
    read.push({ entryId, event: typeof event === 'string' ? parseJson(event) : event });
  }
  return read;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
