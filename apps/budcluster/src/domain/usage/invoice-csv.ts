import type { InvoiceResponse } from '@bud/contracts';

export const INVOICE_CSV_HEADER = [
  'deployment_id',
  'job_id',
  'job_name',
  'cluster_id',
  'project_id',
  'gpu_type',
  'gpu_hours',
  'vcpu_hours',
  'memory_gib_hours',
  'gpu_hour_price',
  'vcpu_hour_price',
  'memory_gib_hour_price',
  'amount',
] as const;

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR first) gets a leading apostrophe — amounts and ids never start with one.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** docs/design.md#invoices: a header row, one row per line item (by deployment), then a total row
 * (`total` first, the exact total as its amount); CRLF line ends. */
export function invoiceCsv(invoice: InvoiceResponse): string {
  const rows: string[][] = [[...INVOICE_CSV_HEADER]];
  for (const deployment of invoice.deployments) {
    for (const line of deployment.lines) {
      rows.push([
        deployment.deployment_id ?? '',
        line.job_id,
        line.job_name,
        line.cluster_id,
        line.project_id ?? '',
        line.gpu_type ?? '',
        line.quantities.gpu_hours,
        line.quantities.vcpu_hours,
        line.quantities.memory_gib_hours,
        line.unit_prices.gpu_hour,
        line.unit_prices.vcpu_hour,
        line.unit_prices.memory_gib_hour,
        line.amount,
      ]);
    }
  }
  const total = INVOICE_CSV_HEADER.map(() => '');
  total[0] = 'total';
  total[total.length - 1] = invoice.total;
  rows.push(total);
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The q-value (0–1) an Accept header gives a media type: its most specific matching range (type/sub, type/*, then *\/*); 0 if none. */
function acceptQuality(ranges: ReadonlyArray<{ type: string; subtype: string; q: number }>, type: string, subtype: string): number {
  let best: { specificity: number; q: number } | null = null;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' ? 0 : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: range.q };
  }
  return best?.q ?? 0;
}

/**
 * docs/design.md#invoices: whether an Accept header asks for the CSV rather than the JSON invoice — only when it gives
 * text/csv a higher q-value than application/json (ties and absence answer JSON), so `text/csv;q=0` never gets CSV.
 */
export function acceptsCsvOverJson(accept: string | undefined): boolean {
  const ranges = (accept ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => {
      const [media = '', ...params] = part.split(';').map((piece) => piece.trim());
      const [type = '', subtype = ''] = media.split('/');
      const qParam = params.find((param) => /^q\s*=/.test(param));
      const q = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/, ''));
      return { type, subtype, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 };
    })
    .filter((range) => range.type !== '' && range.subtype !== '');
  return acceptQuality(ranges, 'text', 'csv') > acceptQuality(ranges, 'application', 'json');
}
