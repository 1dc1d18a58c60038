// Exact decimal arithmetic for usage and invoices: SQL `numeric` sums arrive as text and are held as bigint counts of
// millionths, so nothing on the way to the wire is ever a float (docs/design.md#usage).

/** Millionths: every quantity and amount on the wire has six places. */
export const SCALE = 6;
const ONE = 10n ** BigInt(SCALE);

/** Rounds numerator/denominator (both ≥ 0) half up. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (2n * denominator);
}

/**
 * A non-negative decimal as PostgreSQL renders `numeric` ("42", "0.125000", "7.") in millionths; digits past the
 * sixth place round half up. Anything else is a programming error (the text comes from our own SQL).
 */
export function parseMillionths(text: string): bigint {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new Error(`not a non-negative decimal: '${text}'`);
  const [, whole, fraction = ''] = match;
  const kept = BigInt(whole) * ONE + BigInt(fraction.slice(0, SCALE).padEnd(SCALE, '0'));
  const rest = fraction.slice(SCALE);
  return rest !== '' && rest[0] >= '5' ? kept + 1n : kept;
}

/** Millionths as a decimal with six places: 1500000n → "1.500000". */
export function formatMillionths(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / ONE}.${String(abs % ONE).padStart(SCALE, '0')}`;
}

/** An amount in millionths of a dollar rounded half up to the cent, with two places: 1234567n → "1.23". */
export function formatCents(value: bigint): string {
  if (value < 0n) throw new Error('a negative amount due');
  const cents = divideHalfUp(value, ONE / 100n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}
