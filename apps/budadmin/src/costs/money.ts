// Money arrives as decimal strings with six places (micro-dollars). Sums and comparisons here are exact (bigint);
// only the chart geometry turns amounts into numbers, and no amount shown as text is computed from a float.

const MICROS = 1_000_000n;

/** `"12.345678"` → 12345678n; `"-0.5"` → -500000n. Anything else is a programming error upstream (the API's schema). */
export function microsOf(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal amount: '${decimal}'`);
  const micros = BigInt(match[2]) * MICROS + BigInt((match[3] ?? '').padEnd(6, '0'));
  return match[1] === '-' ? -micros : micros;
}

/** Micro-dollars as a six-place decimal string, like the API's. */
export function decimalOf(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  return `${sign}${abs / MICROS}.${String(abs % MICROS).padStart(6, '0')}`;
}

const grouped = (whole: bigint) => whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * `"1234.565"` → `$1,234.57` (half up to the cent); an amount under a cent keeps the digits that matter
 * (`"0.004500"` → `$0.0045`) so a fresh deployment's first minutes never read as $0.00.
 */
export function formatMoney(amount: string | bigint): string {
  const micros = typeof amount === 'bigint' ? amount : microsOf(amount);
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  if (abs > 0n && abs < 10_000n) return `${sign}$0.${String(abs).padStart(6, '0').replace(/0+$/, '')}`;
  const cents = (abs + 5_000n) / 10_000n;
  return `${sign}$${grouped(cents / 100n)}.${String(cents % 100n).padStart(2, '0')}`;
}

/** For chart geometry only. */
export function plotValue(decimal: string): number {
  return Number(decimal);
}
