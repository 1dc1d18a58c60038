export type LiteralValue = string | number | boolean | null;
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A reference is fully static: `components['llm'].outputs.url` → segments `components, llm, outputs, url`. */
export interface ReferenceNode {
  type: 'ref';
  segments: readonly string[];
  column: number;
}
export interface LiteralNode {
  type: 'literal';
  value: LiteralValue;
  column: number;
}
export interface DefaultNode {
  type: 'default';
  target: Expr;
  fallback: LiteralValue;
  column: number;
}
export interface CompareNode {
  type: 'compare';
  op: ComparisonOperator;
  left: Expr;
  right: Expr;
  column: number;
}
export interface LogicNode {
  type: 'and' | 'or';
  left: Expr;
  right: Expr;
  column: number;
}
export interface NotNode {
  type: 'not';
  operand: Expr;
  column: number;
}
export type Expr = ReferenceNode | LiteralNode | DefaultNode | CompareNode | LogicNode | NotNode;

export interface Reference {
  segments: readonly string[];
  /** 1-based column of the reference inside its string. */
  column: number;
}
