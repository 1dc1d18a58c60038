/** Bounds that keep a hostile template from making parsing or evaluation slow (docs/design.md#bounded-input). */
export const EXPRESSION_LIMITS = {
  maxStringLength: 65_536,
  maxExpressionLength: 2_048,
  maxExpressionsPerString: 256,
  maxTokens: 256,
  maxDepth: 32,
} as const;

/** Names that would reach an object's prototype machinery; refused wherever a name is read. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
