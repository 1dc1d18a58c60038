import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import type { Reference, Scope } from '../expressions';
import { ExpressionError, parseTemplate, renderParsed } from '../expressions';
import { expressionDetail } from './analyze-template';

export interface PendingString {
  /** Path relative to the template component, e.g. ['env', 'LLM_URL']. */
  relative: Array<string | number>;
  components: string[];
  secrets: string[];
}

export interface RenderContext {
  scope: Scope;
  /** Component ids that will deploy, and secret parameter names: references to them wait for deploy time. */
  deployed: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  /** Error paths are `formatPath([...base, ...relative])`, e.g. components[2].config.url. */
  base: Array<string | number>;
  errors: ErrorDetail[];
  pending: PendingString[];
  /** Most characters one interpolated string may render to (see RenderOptions.maxLength). */
  maxLength?: number;
}

function deferOf(ctx: RenderContext): (ref: Reference) => boolean {
  return (ref) => {
    const [root, name] = ref.segments;
    return name !== undefined && ((root === 'components' && ctx.deployed.has(name)) || (root === 'parameters' && ctx.secrets.has(name)));
  };
}

function renderString(text: string, relative: Array<string | number>, ctx: RenderContext): unknown {
  if (!text.includes('{{')) return text;
  const path = formatPath([...ctx.base, ...relative]);
  try {
    const parsed = parseTemplate(text, path);
    const defer = deferOf(ctx);
    const result = renderParsed(parsed, ctx.scope, path, { defer, maxLength: ctx.maxLength });
    if (result.deferred) {
      const waiting = parsed.references.filter(defer);
      const names = (root: string): string[] => [...new Set(waiting.filter((r) => r.segments[0] === root).map((r) => r.segments[1]))];
      ctx.pending.push({ relative, components: names('components'), secrets: names('parameters') });
    }
    return result.value;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    ctx.errors.push(expressionDetail(error));
    return text;
  }
}

/** Renders every string of a value tree; other values are copied. Depth was bounded by the analysis. */
export function renderTree(value: unknown, relative: Array<string | number>, ctx: RenderContext): unknown {
  if (typeof value === 'string') return renderString(value, relative, ctx);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, i) => renderTree(item, [...relative, i], ctx));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) setOwn(out, key, renderTree(child, [...relative, key], ctx));
  return out;
}

/** Plain assignment of a `__proto__` key (which JSON bodies may carry) would replace the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `override` wins; objects merge key by key, lists and scalars are replaced whole. */
export function deepMerge(base: Readonly<Record<string, unknown>>, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(override)) {
    const current = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    setOwn(out, key, isRecord(current) && isRecord(value) ? deepMerge(current, value) : value);
  }
  return out;
}
