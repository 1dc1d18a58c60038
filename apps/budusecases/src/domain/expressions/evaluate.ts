import type { Expr } from './ast';
import { ExpressionError } from './expression-error';
import { FORBIDDEN_NAMES } from './limits';

/** Root names (`parameters`, `components`, ...) → plain data; only own enumerable properties are ever read. */
export type Scope = Readonly<Record<string, unknown>>;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Reads a static path; undefined when any step is missing, never anything inherited. */
export function lookupPath(scope: Scope, segments: readonly string[]): unknown {
  let current: unknown = scope;
  for (const segment of segments) {
    if (FORBIDDEN_NAMES.has(segment)) return undefined;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainRecord(current) && Object.prototype.propertyIsEnumerable.call(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

export function describeReference(segments: readonly string[]): string {
  return segments.map((s, i) => (i === 0 ? s : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `['${s}']`)).join('');
}

export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

function compare(op: Expr & { type: 'compare' }, left: unknown, right: unknown, path: string): boolean {
  switch (op.op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
      if (!comparable) throw new ExpressionError(path, op.column, `cannot compare ${typeName(left)} ${op.op} ${typeName(right)}`);
      const l = left;
      const r = right;
      if (op.op === '<') return l < r;
      if (op.op === '<=') return l <= r;
      if (op.op === '>') return l > r;
      return l >= r;
    }
    default: {
      const unreachable: never = op.op;
      throw new ExpressionError(path, op.column, `unknown operator ${String(unreachable)}`);
    }
  }
}

function evaluateNode(expr: Expr, scope: Scope, path: string, allowMissing: boolean): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'ref': {
      const value = lookupPath(scope, expr.segments);
      if (value === undefined && !allowMissing) {
        throw new ExpressionError(
          path,
          expr.column,
          `${describeReference(expr.segments)} has no value (add | default(...) if it may be absent)`,
        );
      }
      return value;
    }
    case 'default': {
      const value = evaluateNode(expr.target, scope, path, true);
      return value === undefined || value === null ? expr.fallback : value;
    }
    case 'not':
      return !isTruthy(evaluateNode(expr.operand, scope, path, false));
    case 'and':
      return isTruthy(evaluateNode(expr.left, scope, path, false)) && isTruthy(evaluateNode(expr.right, scope, path, false));
    case 'or':
      return isTruthy(evaluateNode(expr.left, scope, path, false)) || isTruthy(evaluateNode(expr.right, scope, path, false));
    case 'compare':
      return compare(expr, evaluateNode(expr.left, scope, path, false), evaluateNode(expr.right, scope, path, false), path);
    default: {
      const unreachable: never = expr;
      throw new ExpressionError(path, 1, `unknown expression ${String(unreachable)}`);
    }
  }
}

/** Evaluates a parsed expression; errors are ExpressionError naming `path` and the column. */
export function evaluate(expr: Expr, scope: Scope, path: string): unknown {
  return evaluateNode(expr, scope, path, false);
}
