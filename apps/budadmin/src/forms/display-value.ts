/** A parameter value as a person reads it: strings as they are, anything else as JSON. */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
