import { SyntaxProblem } from './expression-error';
import { EXPRESSION_LIMITS } from './limits';

export type TokenType = 'ident' | 'string' | 'number' | 'op' | 'punct' | 'close';
export interface Token {
  type: TokenType;
  text: string;
  value: string | number;
  /** 0-based offset in the scanned string. */
  offset: number;
}

const IDENT_START = /[A-Za-z_]/;
// Dashes are identifier characters so `components.vector-db.outputs.url` works; there is no subtraction.
const IDENT_PART = /[A-Za-z0-9_-]/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '|'];
const PUNCTUATION = new Set(['(', ')', '[', ']', '.', ',']);
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };

function readString(src: string, start: number): Token {
  const quote = src[start];
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === quote) return { type: 'string', text: src.slice(start, i + 1), value, offset: start };
    if (ch === '\\') {
      const escaped = ESCAPES[src[i + 1] ?? ''];
      if (escaped === undefined) throw new SyntaxProblem(i + 1, 'unknown escape in string literal');
      value += escaped;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw new SyntaxProblem(start + 1, 'unterminated string literal');
}

/**
 * Tokens of one expression starting at `start`; in template mode it stops after the closing `}}`
 * (which may not hide inside a string literal), otherwise at the end of `src`.
 */
export function tokenize(src: string, start: number, templateMode: boolean): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let i = start;
  while (i < src.length) {
    const ch = src[i];
    if (i - start > EXPRESSION_LIMITS.maxExpressionLength) {
      throw new SyntaxProblem(start + 1, `expression is longer than ${EXPRESSION_LIMITS.maxExpressionLength} characters`);
    }
    if (tokens.length > EXPRESSION_LIMITS.maxTokens)
      throw new SyntaxProblem(i + 1, `expression has more than ${EXPRESSION_LIMITS.maxTokens} tokens`);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (templateMode && ch === '}' && src[i + 1] === '}') {
      tokens.push({ type: 'close', text: '}}', value: '}}', offset: i });
      return { tokens, end: i + 2 };
    } else if (ch === "'" || ch === '"') {
      const token = readString(src, i);
      tokens.push(token);
      i += token.text.length;
    } else if ((ch >= '0' && ch <= '9') || (ch === '-' && /\d/.test(src[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const text = NUMBER.exec(src)?.[0] ?? ch;
      const value = Number(text);
      if (!Number.isFinite(value)) throw new SyntaxProblem(i + 1, 'number is out of range');
      tokens.push({ type: 'number', text, value, offset: i });
      i += text.length;
    } else if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j])) j++;
      const text = src.slice(i, j);
      tokens.push({ type: 'ident', text, value: text, offset: i });
      i = j;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op, value: op, offset: i });
        i += op.length;
      } else if (PUNCTUATION.has(ch)) {
        tokens.push({ type: 'punct', text: ch, value: ch, offset: i });
        i++;
      } else {
        throw new SyntaxProblem(i + 1, `unexpected character '${ch}'`);
      }
    }
  }
  if (templateMode) throw new SyntaxProblem(start - 1, "'{{' is not closed by '}}'");
  return { tokens, end: i };
}
