import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import type { State } from 'js-yaml';
import { formatPath } from '@bud/errors';

/** docs/design.md#bounded-input bounds for untrusted YAML (system templates, seed files, uploaded documents, kubeconfigs). */
export const YAML_LIMITS = {
  maxDocumentBytes: 1_048_576,
  maxDepth: 64,
  maxStringLength: 65_536,
} as const;

/** Any YAML that cannot be used: malformed, or over a bound. `line`/`column` are 1-based; `path` when known. */
export class SafeYamlError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    readonly path: string | null = null,
  ) {
    super(`${source}:${line}:${column}: ${path ? `${path}: ` : ''}${reason}`);
    this.name = 'SafeYamlError';
  }
}

// js-yaml counts parser frames, not collections (a block mapping and a flow list differ), so it only
// guards the parser's own recursion; the collection depth of docs/design.md#bounded-input is measured on the result.
const PARSER_DEPTH_BACKSTOP = YAML_LIMITS.maxDepth * 2 + 8;

interface ParserPosition {
  line: number;
  position: number;
  lineStart: number;
  anchor: string | null;
  kind: string | null;
  result: unknown;
}

// js-yaml's listener receives its parser state; these fields are documented in its loader but not typed.
function positionOf(state: State): ParserPosition {
  return state as unknown as ParserPosition;
}

/**
 * Parses one YAML document with the YAML 1.2 core schema (no timestamps, no `!!` types, no merge keys).
 * Anchors are refused as soon as the anchored node closes, so no alias can ever be read and an alias
 * bomb fails on its first line. Size is checked before parsing, string length while parsing, collection
 * depth right after (with the path), all before anything evaluates the value.
 */
export function parseSafeYaml(text: string, source = 'document'): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > YAML_LIMITS.maxDocumentBytes) {
    throw new SafeYamlError(source, 1, 1, `document is ${bytes} bytes; the limit is ${YAML_LIMITS.maxDocumentBytes}`);
  }
  const fail = (state: ParserPosition, reason: string): never => {
    throw new SafeYamlError(source, state.line + 1, Math.max(1, state.position - state.lineStart + 1), reason);
  };
  const listener = function (this: State, event: 'open' | 'close', state: State): void {
    if (event !== 'close') return;
    const s = positionOf(state);
    if (s.anchor !== null) fail(s, `anchors and aliases are not allowed (&${s.anchor})`);
    if (typeof s.result === 'string' && s.result.length > YAML_LIMITS.maxStringLength) {
      fail(s, `a string is ${s.result.length} characters; the limit is ${YAML_LIMITS.maxStringLength}`);
    }
  };
  let value: unknown;
  try {
    value = load(text, { schema: CORE_SCHEMA, filename: source, listener, maxDepth: PARSER_DEPTH_BACKSTOP } as Parameters<typeof load>[1]);
  } catch (error) {
    if (error instanceof SafeYamlError) throw error;
    if (error instanceof YAMLException) {
      const reason = /maxDepth/.test(error.reason) ? `nesting is deeper than ${YAML_LIMITS.maxDepth} levels` : error.reason;
      const mark = error.mark as YAMLException['mark'] | undefined;
      throw new SafeYamlError(source, (mark?.line ?? 0) + 1, (mark?.column ?? 0) + 1, reason);
    }
    throw new SafeYamlError(source, 1, 1, error instanceof Error ? error.message : 'unreadable YAML');
  }
  checkCollectionDepth(value, source);
  return value;
}

/** Iterative, so the walk itself cannot overflow; anchors are refused, so the result is a tree. */
function checkCollectionDepth(root: unknown, source: string): void {
  const stack: Array<{ node: unknown; path: Array<string | number>; depth: number }> = [{ node: root, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop() as { node: unknown; path: Array<string | number>; depth: number };
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > YAML_LIMITS.maxDepth) {
      throw new SafeYamlError(source, 1, 1, `nesting is deeper than ${YAML_LIMITS.maxDepth} levels`, formatPath(path));
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((v, i): [number, unknown] => [i, v])
      : Object.entries(node);
    for (const [key, child] of entries)
      if (child !== null && typeof child === 'object') stack.push({ node: child, path: [...path, key], depth: depth + 1 });
  }
}
