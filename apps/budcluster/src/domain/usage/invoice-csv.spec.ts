import type { InvoiceResponse } from '@bud/contracts';
import { acceptsCsvOverJson, csvField, invoiceCsv } from './invoice-csv';

describe('invoice CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['-1', "'-1"],
    ['', ''],
  ])('writes %j as %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('has a header, a row per line in deployment order, then the total row', () => {
    const line = (job: string, amount: string) => ({
      job_id: job,
      job_name: `job-${job.slice(0, 1)}`,
      cluster_id: 'c0000000-0000-4000-8000-000000000000',
      project_id: null,
      gpu_type: job.startsWith('a') ? 'A100-80GB' : null,
      quantities: { gpu_hours: '1.000000', vcpu_hours: '2.000000', memory_gib_hours: '3.000000' },
      unit_prices: { gpu_hour: '2.500000', vcpu_hour: '0.040000', memory_gib_hour: '0.005000' },
      amount,
    });
    const invoice: InvoiceResponse = {
      tenant_id: 't0000000-0000-4000-8000-000000000000',
      period: '2026-11',
      currency: 'USD',
      status: 'open',
      metered_through: '2026-11-20T12:00:00.000Z',
      deployments: [
        {
          deployment_id: 'd0000000-0000-4000-8000-000000000000',
          amount: '2.595000',
          lines: [line('a0000000-0000-4000-8000-000000000000', '2.595000')],
        },
        { deployment_id: null, amount: '0.095000', lines: [line('b0000000-0000-4000-8000-000000000000', '0.095000')] },
      ],
      total: '2.690000',
      total_due: '2.69',
    };
    const rows = invoiceCsv(invoice).split('\r\n');
    expect(rows).toEqual([
      'deployment_id,job_id,job_name,cluster_id,project_id,gpu_type,gpu_hours,vcpu_hours,memory_gib_hours,gpu_hour_price,vcpu_hour_price,memory_gib_hour_price,amount',
      'd0000000-0000-4000-8000-000000000000,a0000000-0000-4000-8000-000000000000,job-a,c0000000-0000-4000-8000-000000000000,,A100-80GB,1.000000,2.000000,3.000000,2.500000,0.040000,0.005000,2.595000',
      ',b0000000-0000-4000-8000-000000000000,job-b,c0000000-0000-4000-8000-000000000000,,,1.000000,2.000000,3.000000,2.500000,0.040000,0.005000,0.095000',
      'total,,,,,,,,,,,,2.690000',
      '',
    ]);
  });
});

describe('invoice content negotiation (Accept)', () => {
  it.each([
    ['text/csv', true],
    ['text/csv; charset=utf-8', true],
    ['application/json, text/csv;q=0', false],
    ['text/csv;q=0, application/json', false],
    ['application/json;q=0.5, text/csv;q=0.9', true],
    ['application/json;q=0.9, text/csv;q=0.5', false],
    ['text/csv, application/json', false],
    ['text/csv;q=0.8, */*;q=0.8', false],
    ['*/*', false],
    ['text/*, application/json;q=0.1', true],
    ['text/csv;q=0, text/*', false],
    ['TEXT/CSV', true],
    ['text/csv;q=abc', false],
    ['', false],
    [undefined, false],
  ])('%s → CSV: %s', (accept, csv) => {
    expect(acceptsCsvOverJson(accept)).toBe(csv);
  });
});
