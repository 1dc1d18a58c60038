import fc from 'fast-check';
import type { Expr, LiteralValue } from './index';
import { ExpressionError, escapeTemplateText, parseExpression, printExpression, renderTemplateString } from './index';

const RUNS = 1_000;
const scope = { parameters: { a: 1, b: 'x', c: true, d: null }, components: { llm: { outputs: { url: 'u' } } } };

/**
 * Runs fn and fails the property when it throws anything but an ExpressionError. A hang fails the
 * test by its timeout; speed is the bench's business, not a wall-clock assertion's.
 */
function onlyExpressionErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    expect(error.path).toBe('p');
    expect(error.column).toBeGreaterThanOrEqual(1);
  }
}

const TOKENS = [
  '{{',
  '}}',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  '|',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  'not',
  'true',
  'false',
  'null',
  'default',
  'default(',
  'parameters',
  'components',
  'outputs',
  'a',
  'b',
  "'s'",
  '"q"',
  "'",
  '"',
  '\\',
  '1',
  '-2.5',
  '1e999',
  '__proto__',
  'constructor',
  'prototype',
  ' ',
  '-',
  'llm',
  'url',
  '🙂',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));

const literal: fc.Arbitrary<LiteralValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const name = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/).filter((s) => !['and', 'or', 'not', 'true', 'false', 'null'].includes(s));
const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal.map((value): Expr => ({ type: 'literal', value, column: 1 })),
    fc.array(name, { minLength: 1, maxLength: 4 }).map((segments): Expr => ({ type: 'ref', segments, column: 1 })),
    fc.tuple(tie('expr'), literal).map(([target, fallback]): Expr => ({ type: 'default', target, fallback, column: 1 })),
    tie('expr').map((operand): Expr => ({ type: 'not', operand, column: 1 })),
    fc
      .tuple(fc.constantFrom('==', '!=', '<', '<=', '>', '>=' as const), tie('expr'), tie('expr'))
      .map(([op, left, right]): Expr => ({ type: 'compare', op, left, right, column: 1 })),
    fc
      .tuple(fc.constantFrom('and', 'or' as const), tie('expr'), tie('expr'))
      .map(([type, left, right]): Expr => ({ type, left, right, column: 1 })),
  ),
}));

describe('expression properties', () => {
  it('random strings never throw anything but ExpressionError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => {
        onlyExpressionErrors(() => renderTemplateString(text, scope, 'p'));
        onlyExpressionErrors(() => parseExpression(text, 'p'));
      }),
      { numRuns: RUNS },
    );
  });

  it('token soups never throw anything but ExpressionError', () => {
    fc.assert(
      fc.property(tokenSoup, (soup) => {
        onlyExpressionErrors(() => renderTemplateString(soup, scope, 'p'));
        onlyExpressionErrors(() => renderTemplateString(`{{ ${soup} }}`, scope, 'p'));
        onlyExpressionErrors(() => parseExpression(soup, 'p'));
      }),
      { numRuns: RUNS },
    );
  });

  it('printing a parsed expression and parsing it again gives the same text', () => {
    fc.assert(
      fc.property(expr, (tree) => {
        const printed = printExpression(tree);
        fc.pre(printed.length < 2_000);
        let reparsed: string;
        try {
          reparsed = printExpression(parseExpression(printed, 'p').expr);
        } catch (error) {
          // Deep random trees may exceed the nesting or token bounds; that is the bound working.
          if (error instanceof ExpressionError && /nested deeper|tokens/.test(error.reason)) return;
          throw error;
        }
        expect(reparsed).toBe(printed);
      }),
      { numRuns: RUNS },
    );
  });

  it('a string literal expression evaluates back to the original string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const literalText = printExpression({ type: 'literal', value: text, column: 1 });
        expect(renderTemplateString(`{{ ${literalText} }}`, scope, 'p').value).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('escaped text renders back to itself, whatever braces it holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        fc.pre(text.length < 400 && (text.match(/\{/g) ?? []).length < 200);
        expect(renderTemplateString(`${escapeTemplateText(text)}{{ 'end' }}`, scope, 'p').value).toBe(`${text}end`);
      }),
      { numRuns: RUNS },
    );
  });
});
