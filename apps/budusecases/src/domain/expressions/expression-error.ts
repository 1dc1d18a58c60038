/** The only error the expression language throws: where (the string's path and a 1-based column) and why. */
export class ExpressionError extends Error {
  constructor(
    readonly path: string,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${path}: ${reason} (column ${column})`);
    this.name = 'ExpressionError';
  }
}

/** Internal: a parse failure before it is tied to a path, so cached failures can be re-raised for any string. */
export class SyntaxProblem extends Error {
  constructor(
    readonly column: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SyntaxProblem';
  }

  at(path: string, columnOffset = 0): ExpressionError {
    return new ExpressionError(path, this.column + columnOffset, this.reason);
  }
}
