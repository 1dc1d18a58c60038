import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '@bud/errors';

/** What the JSON parser reads: JSON and the `+json` types (Dapr delivers `application/cloudevents+json`). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** Whether a request carries a body at all (the same test as Node's and body-parser's). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

/**
 * A body that is not JSON is refused (415) rather than skipped: skipped, it reached the route as `{}` and
 * a PATCH answered 200 having changed nothing.
 */
export function unsupportedBodyError(headers: IncomingHttpHeaders): AppError | null {
  if (!hasBody(headers) || isJsonMediaType(headers['content-type'])) return null;
  const given = headers['content-type'] ? `'${headers['content-type'].slice(0, 100)}'` : 'no content type';
  return new AppError('unsupported_media_type', `the request body must be application/json (or a +json type), not ${given}`);
}
