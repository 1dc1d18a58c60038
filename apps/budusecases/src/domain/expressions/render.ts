import type { Reference } from './ast';
import type { Scope } from './evaluate';
import { evaluate } from './evaluate';
import { ExpressionError } from './expression-error';
import { EXPRESSION_LIMITS } from './limits';
import type { ParsedTemplate } from './parse-template';
import { parseTemplate, referencesOf } from './parse-template';

export interface RenderOptions {
  /** References that cannot be known yet (dependency outputs, secrets): their expressions stay as `{{ }}`. */
  defer?: (reference: Reference) => boolean;
  /**
   * Most characters an interpolated string may render to (default `EXPRESSION_LIMITS.maxStringLength`): rendering
   * stops with an ExpressionError as soon as the output passes it, so a list repeated in a string cannot fill the
   * heap. Escaping of a deferred string and its waiting `{{ }}` do not count: they are not the final text.
   */
  maxLength?: number;
}

export interface RenderResult {
  value: unknown;
  /** True when `value` is a string that still holds `{{ }}` placeholders for a later render. */
  deferred: boolean;
}

/** How an interpolated value reads inside a larger string. */
export function valueToText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Every `{` of already-final text becomes an expression yielding `{`, so a later render of a deferred
 * string can never read user-supplied text as an expression.
 */
export function escapeTemplateText(text: string): string {
  return text.includes('{') ? text.replace(/\{/g, "{{ '{' }}") : text;
}

function isDeferred(parsed: ParsedTemplate, defer: RenderOptions['defer']): boolean {
  return defer !== undefined && parsed.references.some(defer);
}

export function renderParsed(parsed: ParsedTemplate, scope: Scope, path: string, options: RenderOptions = {}): RenderResult {
  const { defer } = options;
  const maxLength = options.maxLength ?? EXPRESSION_LIMITS.maxStringLength;
  if (parsed.single) {
    if (isDeferred(parsed, defer)) {
      const only = parsed.parts[0];
      return { value: only?.kind === 'expr' ? `{{ ${only.source} }}` : '', deferred: true };
    }
    return { value: evaluate(parsed.single, scope, path), deferred: false };
  }
  const deferred = isDeferred(parsed, defer);
  let out = '';
  let length = 0;
  const append = (text: string, escape: boolean): void => {
    length += text.length;
    if (length > maxLength) throw new ExpressionError(path, 1, `renders to more than ${maxLength} characters`);
    out += escape ? escapeTemplateText(text) : text;
  };
  for (const part of parsed.parts) {
    if (part.kind === 'text') append(part.text, deferred);
    else if (deferred && defer && referencesOf(part.expr).some(defer)) out += `{{ ${part.source} }}`;
    else append(valueToText(evaluate(part.expr, scope, path)), deferred);
  }
  return { value: out, deferred };
}

/** Renders one string: unchanged without `{{`, typed when it is exactly one expression, else interpolated. */
export function renderTemplateString(text: string, scope: Scope, path: string, options: RenderOptions = {}): RenderResult {
  if (!text.includes('{{')) return { value: text, deferred: false };
  return renderParsed(parseTemplate(text, path), scope, path, options);
}
