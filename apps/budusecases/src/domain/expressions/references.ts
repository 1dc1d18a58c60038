import type { Reference } from './ast';
import { ExpressionError } from './expression-error';
import { parseTemplate } from './parse-template';
import { formatPath } from '@bud/errors';

export interface FoundReference extends Reference {
  /** Path of the string holding the reference, e.g. `components[3].env.LLM_URL`. */
  path: string;
  /** The same path as segments (set for references found in documents, not in conditions). */
  at?: ReadonlyArray<string | number>;
}

export interface ReferenceScan {
  references: FoundReference[];
  errors: ExpressionError[];
}

const MAX_WALK_DEPTH = 64;

/**
 * Every reference in the `{{ }}` strings of a value tree, without evaluating anything; parse errors are
 * collected (not thrown) so a validator can report all of them.
 */
export function collectReferences(value: unknown, basePath: ReadonlyArray<string | number>): ReferenceScan {
  const scan: ReferenceScan = { references: [], errors: [] };
  walk(value, [...basePath], 0, scan);
  return scan;
}

// One mutable path stack for the whole walk: paths are only formatted for strings holding `{{`.
function walk(value: unknown, path: Array<string | number>, depth: number, scan: ReferenceScan): void {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return;
    const where = formatPath(path);
    try {
      for (const reference of parseTemplate(value, where).references)
        scan.references.push({ segments: reference.segments, column: reference.column, path: where, at: [...path] });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      scan.errors.push(error);
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_WALK_DEPTH) {
    scan.errors.push(new ExpressionError(formatPath(path), 1, `is nested deeper than ${MAX_WALK_DEPTH} levels`));
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walk(value[i], path, depth + 1, scan);
      path.pop();
    }
    return;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    path.push(key);
    walk((value as Record<string, unknown>)[key], path, depth + 1, scan);
    path.pop();
  }
}
