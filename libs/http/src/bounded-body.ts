import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';

export const BODY_LIMITS = { maxDepth: 64, maxStringLength: 65_536 } as const;

/** Half of a UTF-16 surrogate pair without its other half: JSON can carry it (`"\ud800"`), Postgres' jsonb cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

/**
 * Untrusted documents are bounded before anything reads them (docs/design.md#bounded-input): nesting depth, string
 * length, and no NUL characters or lone surrogates (Postgres cannot store them, so they would only fail later).
 * Iterative, so a hostile document cannot exhaust the stack.
 */
export function findBodyViolation(body: unknown): ErrorDetail | null {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > BODY_LIMITS.maxStringLength)
        return { path: formatPath(path), message: `is longer than ${BODY_LIMITS.maxStringLength} characters` };
      if (unstorable(value)) return { path: formatPath(path), message: 'must not contain NUL characters or lone UTF-16 surrogates' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= BODY_LIMITS.maxDepth) return { path: formatPath(path), message: `nests deeper than ${BODY_LIMITS.maxDepth} levels` };
    if (Array.isArray(value)) value.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
    else {
      for (const [key, item] of Object.entries(value)) {
        if (key.length > BODY_LIMITS.maxStringLength || unstorable(key))
          return { path: formatPath(path), message: 'has a key that is too long or contains NUL characters or lone surrogates' };
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return null;
}
