import type { Expr, LiteralValue } from './ast';

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);

export function printLiteral(value: LiteralValue): string {
  if (typeof value === 'string')
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
  return String(value);
}

/** Canonical text of an expression: fully parenthesised, so printing a re-parse gives the same text. */
export function printExpression(expr: Expr): string {
  switch (expr.type) {
    case 'literal':
      return printLiteral(expr.value);
    case 'ref':
      return expr.segments
        .map((s, i) => {
          if (i === 0) return s;
          if (SIMPLE_NAME.test(s) && !KEYWORDS.has(s)) return `.${s}`;
          return /^(0|[1-9]\d*)$/.test(s) ? `[${s}]` : `[${printLiteral(s)}]`;
        })
        .join('');
    case 'default':
      return `((${printExpression(expr.target)}) | default(${printLiteral(expr.fallback)}))`;
    case 'not':
      return `(not ${printExpression(expr.operand)})`;
    case 'compare':
      return `(${printExpression(expr.left)} ${expr.op} ${printExpression(expr.right)})`;
    case 'and':
    case 'or':
      return `(${printExpression(expr.left)} ${expr.type} ${printExpression(expr.right)})`;
    default: {
      const unreachable: never = expr;
      return String(unreachable);
    }
  }
}
