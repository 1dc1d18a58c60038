/**
 * docs/design.md#volumes: a claim's estimated cost per month in micro-dollars, exactly (size GiB × price per
 * GiB-month, half up): money is never a float.
 */
const GIB = 2n ** 30n;

export function monthlyStorageMicros(size: { numerator: bigint; denominator: bigint }, pricePerGibMonthMicros: bigint): bigint {
  const denominator = size.denominator * GIB;
  return (size.numerator * pricePerGibMonthMicros * 2n + denominator) / (2n * denominator);
}
