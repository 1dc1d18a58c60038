/** `"3.020000"` → `$3.02`; keeps digits that matter below a cent (`"0.004500"` → `$0.0045`). */
export function formatUsd(decimal: string | null | undefined): string {
  if (decimal === null || decimal === undefined || decimal === '') return '-';
  const match = /^(\d+)(?:\.(\d*))?$/.exec(decimal);
  if (!match) return `$${decimal}`;
  const fraction = (match[2] ?? '').replace(/0+$/, '').padEnd(2, '0');
  return `$${match[1]}.${fraction}`;
}

export function formatGpu(count: number, type: string | null | undefined): string {
  return count > 0 ? `${count}x ${type ?? 'GPU'}` : '-';
}

export function formatGpuInventory(inventory: Readonly<Record<string, number>>): string {
  const entries = Object.entries(inventory);
  return entries.length > 0 ? entries.map(([type, count]) => `${count}x ${type}`).join(', ') : '-';
}

/** Age like kubectl's: 45s, 12m, 3h, 5d. */
export function formatAge(iso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Local wall-clock time of an event, HH:MM:SS. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toTimeString().slice(0, 8);
}

export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatList(values: readonly string[]): string {
  return values.length > 0 ? values.join(', ') : '-';
}
