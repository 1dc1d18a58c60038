import type { ComparisonOperator, Expr, LiteralValue } from './ast';
import { SyntaxProblem } from './expression-error';
import { EXPRESSION_LIMITS, FORBIDDEN_NAMES } from './limits';
import type { Token } from './tokenizer';

const COMPARISONS = new Set<string>(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
const FILTERS = new Set(['default']);

/** Recursive descent over one expression's tokens (the `}}` close token, if any, already removed). */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly endOffset: number,
  ) {}

  parse(): Expr {
    if (this.tokens.length === 0) throw new SyntaxProblem(this.endOffset + 1, 'expression is empty');
    const expr = this.parseOr();
    const extra = this.peek();
    if (extra) throw this.problem(extra, `unexpected '${extra.text}'`);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new SyntaxProblem(this.endOffset + 1, `expected ${expected} but the expression ended`);
    return token;
  }

  private is(text: string, type?: Token['type']): boolean {
    const token = this.peek();
    return token !== undefined && token.text === text && (type === undefined || token.type === type);
  }

  private problem(token: Token, reason: string): SyntaxProblem {
    return new SyntaxProblem(token.offset + 1, reason);
  }

  private enter(token: Token): void {
    if (++this.depth > EXPRESSION_LIMITS.maxDepth)
      throw this.problem(token, `expression is nested deeper than ${EXPRESSION_LIMITS.maxDepth}`);
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.is('or', 'ident')) {
      const op = this.next('or');
      left = { type: 'or', left, right: this.parseAnd(), column: op.offset + 1 };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.is('and', 'ident')) {
      const op = this.next('and');
      left = { type: 'and', left, right: this.parseNot(), column: op.offset + 1 };
    }
    return left;
  }

  private parseNot(): Expr {
    if (!this.is('not', 'ident')) return this.parseComparison();
    const op = this.next('not');
    this.enter(op);
    const operand = this.parseNot();
    this.depth--;
    return { type: 'not', operand, column: op.offset + 1 };
  }

  private parseComparison(): Expr {
    const left = this.parseFiltered();
    const token = this.peek();
    if (!token || token.type !== 'op' || !COMPARISONS.has(token.text)) return left;
    this.index++;
    const right = this.parseFiltered();
    const after = this.peek();
    if (after && after.type === 'op' && COMPARISONS.has(after.text)) throw this.problem(after, 'comparisons cannot be chained; use and');
    return { type: 'compare', op: token.text as ComparisonOperator, left, right, column: token.offset + 1 };
  }

  private parseFiltered(): Expr {
    let expr = this.parsePrimary();
    while (this.is('|', 'op')) {
      const bar = this.next('|');
      const name = this.next('a filter name');
      if (name.type !== 'ident' || !FILTERS.has(name.text))
        throw this.problem(name, `unknown filter '${name.text}'; only default(<literal>) exists`);
      if (!this.is('(', 'punct')) throw this.problem(this.peek() ?? name, "expected '(' after default");
      this.index++;
      const fallback = this.parseLiteral(this.next('a literal'));
      if (!this.is(')', 'punct')) throw this.problem(this.peek() ?? bar, "expected ')' after the default value");
      this.index++;
      expr = { type: 'default', target: expr, fallback, column: bar.offset + 1 };
    }
    return expr;
  }

  private parseLiteral(token: Token): LiteralValue {
    if (token.type === 'string' || token.type === 'number') return token.value;
    if (token.type === 'ident' && token.text === 'true') return true;
    if (token.type === 'ident' && token.text === 'false') return false;
    if (token.type === 'ident' && token.text === 'null') return null;
    throw this.problem(token, `expected a literal (string, number, true, false, null) but found '${token.text}'`);
  }

  private parsePrimary(): Expr {
    const token = this.next('a value');
    if (token.type === 'punct' && token.text === '(') {
      this.enter(token);
      const inner = this.parseOr();
      this.depth--;
      if (!this.is(')', 'punct')) throw this.problem(this.peek() ?? token, "expected ')'");
      this.index++;
      if (this.is('.', 'punct') || this.is('[', 'punct')) throw this.problem(token, 'only references can be followed by . or [');
      return inner;
    }
    if (token.type === 'ident' && !KEYWORDS.has(token.text)) return this.parseReference(token);
    return { type: 'literal', value: this.parseLiteral(token), column: token.offset + 1 };
  }

  private parseReference(root: Token): Expr {
    const segments = [this.checkedName(root, root.text)];
    for (;;) {
      if (this.is('.', 'punct')) {
        this.index++;
        const name = this.next('a name after .');
        if (name.type !== 'ident') throw this.problem(name, `expected a name after '.' but found '${name.text}'`);
        segments.push(this.checkedName(name, name.text));
      } else if (this.is('[', 'punct')) {
        this.index++;
        const key = this.next('a key');
        if (key.type === 'string') segments.push(this.checkedName(key, String(key.value)));
        else if (key.type === 'number' && Number.isInteger(key.value) && Number(key.value) >= 0) segments.push(String(key.value));
        else throw this.problem(key, 'a [key] must be a string literal or a non-negative integer');
        if (!this.is(']', 'punct')) throw this.problem(this.peek() ?? key, "expected ']'");
        this.index++;
      } else {
        return { type: 'ref', segments, column: root.offset + 1 };
      }
      if (segments.length > EXPRESSION_LIMITS.maxDepth)
        throw this.problem(root, `reference is longer than ${EXPRESSION_LIMITS.maxDepth} segments`);
    }
  }

  private checkedName(token: Token, name: string): string {
    if (FORBIDDEN_NAMES.has(name)) throw this.problem(token, `'${name}' cannot be accessed`);
    return name;
  }
}

/** Parses one expression's tokens; throws SyntaxProblem (offsets are those of the scanned string). */
export function parseTokens(tokens: readonly Token[], endOffset: number): Expr {
  return new Parser(tokens, endOffset).parse();
}
