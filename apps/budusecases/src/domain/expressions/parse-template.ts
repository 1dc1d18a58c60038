import type { Expr, Reference } from './ast';
import { SyntaxProblem } from './expression-error';
import { EXPRESSION_LIMITS } from './limits';
import { parseTokens } from './parser';
import { tokenize } from './tokenizer';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; expr: Expr; source: string };

export interface ParsedTemplate {
  parts: readonly TemplatePart[];
  /** Set when the whole string is exactly one `{{ }}`: its value keeps its type. */
  single: Expr | null;
  references: readonly Reference[];
}

export interface ParsedExpression {
  expr: Expr;
  references: readonly Reference[];
}

// Parsed forms are cached by text: a template is resolved many times and its strings never change.
const MAX_CACHE_ENTRIES = 10_000;
const templateCache = new Map<string, ParsedTemplate | SyntaxProblem>();
const expressionCache = new Map<string, ParsedExpression | SyntaxProblem>();

function remember<T>(cache: Map<string, T | SyntaxProblem>, key: string, compute: () => T): T | SyntaxProblem {
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      entry = compute();
    } catch (error) {
      if (!(error instanceof SyntaxProblem)) throw error;
      entry = error;
    }
    if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

export function referencesOf(expr: Expr, into: Reference[] = []): Reference[] {
  switch (expr.type) {
    case 'ref':
      into.push({ segments: expr.segments, column: expr.column });
      break;
    case 'literal':
      break;
    case 'default':
      referencesOf(expr.target, into);
      break;
    case 'not':
      referencesOf(expr.operand, into);
      break;
    case 'compare':
    case 'and':
    case 'or':
      referencesOf(expr.left, into);
      referencesOf(expr.right, into);
      break;
    default: {
      const unreachable: never = expr;
      throw new Error(`unknown node ${String(unreachable)}`);
    }
  }
  return into;
}

/** What `escapeTemplateText` writes for a literal `{`: read back as text, not counted as an expression or its length. */
const ESCAPED_BRACE = "{{ '{' }}";

function escapedBraces(text: string): number {
  let n = 0;
  for (let at = text.indexOf(ESCAPED_BRACE); at >= 0; at = text.indexOf(ESCAPED_BRACE, at + ESCAPED_BRACE.length)) n++;
  return n;
}

function compileTemplate(text: string): ParsedTemplate {
  if (
    text.length > EXPRESSION_LIMITS.maxStringLength &&
    text.length - (ESCAPED_BRACE.length - 1) * escapedBraces(text) > EXPRESSION_LIMITS.maxStringLength
  )
    throw new SyntaxProblem(1, `string is longer than ${EXPRESSION_LIMITS.maxStringLength} characters`);
  const parts: TemplatePart[] = [];
  const references: Reference[] = [];
  let cursor = 0;
  let open = text.indexOf('{{');
  let count = 0;
  while (open >= 0) {
    if (text.startsWith(ESCAPED_BRACE, open)) {
      parts.push({ kind: 'text', text: `${text.slice(cursor, open)}{` });
      cursor = open + ESCAPED_BRACE.length;
      open = text.indexOf('{{', cursor);
      continue;
    }
    if (++count > EXPRESSION_LIMITS.maxExpressionsPerString) {
      throw new SyntaxProblem(open + 1, `string has more than ${EXPRESSION_LIMITS.maxExpressionsPerString} expressions`);
    }
    if (open > cursor) parts.push({ kind: 'text', text: text.slice(cursor, open) });
    const { tokens, end } = tokenize(text, open + 2, true);
    tokens.pop();
    const expr = parseTokens(tokens, end - 2);
    referencesOf(expr, references);
    parts.push({ kind: 'expr', expr, source: text.slice(open + 2, end - 2).trim() });
    cursor = end;
    open = text.indexOf('{{', cursor);
  }
  if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor) });
  const only = parts.length === 1 ? parts[0] : undefined;
  return { parts, single: only?.kind === 'expr' ? only.expr : null, references };
}

function compileExpression(text: string): ParsedExpression {
  if (text.length > EXPRESSION_LIMITS.maxExpressionLength) {
    throw new SyntaxProblem(1, `expression is longer than ${EXPRESSION_LIMITS.maxExpressionLength} characters`);
  }
  const { tokens, end } = tokenize(text, 0, false);
  const expr = parseTokens(tokens, end);
  return { expr, references: referencesOf(expr) };
}

/** `"http://{{ components.llm.outputs.host }}:8000"` → parts; throws ExpressionError naming `path`. */
export function parseTemplate(text: string, path: string): ParsedTemplate {
  const entry = remember(templateCache, text, () => compileTemplate(text));
  if (entry instanceof SyntaxProblem) throw entry.at(path);
  return entry;
}

/** A bare expression without braces, e.g. a condition `parameters.enable_reranker and not parameters.lite`. */
export function parseExpression(text: string, path: string): ParsedExpression {
  const entry = remember(expressionCache, text, () => compileExpression(text));
  if (entry instanceof SyntaxProblem) throw entry.at(path);
  return entry;
}

export function hasExpression(text: string): boolean {
  return text.includes('{{');
}
