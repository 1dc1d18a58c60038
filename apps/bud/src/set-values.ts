import { UsageError } from './errors';

/**
 * `--set key=value` pairs into deployment parameters. A value that parses as JSON takes that type
 * (`gpu_count=2`, `tracing=true`, `"007"` for a string of digits); anything else is a string.
 * A later pair for the same key wins, as a later flag usually does.
 */
export function parseSetValues(pairs: readonly string[]): Record<string, unknown> {
  const parameters = new Map<string, unknown>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--set expects key=value, got '${pair}'`);
    const key = pair.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new UsageError(`--set: '${key}' is not a parameter name (letters, digits and underscores)`);
    parameters.set(key, parseValue(pair.slice(equals + 1)));
  }
  // fromEntries keeps a key like __proto__ as a plain property.
  return Object.fromEntries(parameters);
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
