/**
 * Kubernetes resource quantities (`500m`, `2`, `8Gi`, `1.5`, `1e3`) as plain numbers, for cost estimates
 * and capacity accounting. Grammar: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

import { KUBERNETES_QUANTITY, parseQuantity } from '@bud/contracts';

export { parseQuantity };

/** `500m` → 0.5, `2` → 2. */
export function cpuCores(quantity: string): number {
  return parseQuantity(quantity);
}

/** `8Gi` → 8, `512Mi` → 0.5, `1G` → 0.931…; decimal suffixes are powers of ten, binary ones powers of two. */
export function memoryGiB(quantity: string): number {
  return parseQuantity(quantity) / 2 ** 30;
}

export interface ExactQuantity {
  numerator: bigint;
  denominator: bigint;
}

const DECIMAL_EXPONENTS: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENTS: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** The quantity in base units as an exact fraction, for money: `0.3` is 3/10, not 0.29999…. */
export function exactQuantity(quantity: string): ExactQuantity {
  const match = KUBERNETES_QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`'${quantity}' is not a Kubernetes quantity`);
  const [, digits, exponent, suffix = ''] = match;
  const [whole, fraction = ''] = digits.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 10n ** BigInt(fraction.length);
  const binary = BINARY_EXPONENTS[suffix];
  const power = exponent === undefined ? (DECIMAL_EXPONENTS[suffix] ?? 0) : Number(exponent);
  if (Math.abs(power) > 30) throw new Error(`'${quantity}' is out of range`);
  if (binary !== undefined) numerator *= 2n ** BigInt(binary);
  else if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  return { numerator, denominator };
}
