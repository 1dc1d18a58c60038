import { AppError } from '@bud/errors';
import { monthOf, usageWindow } from './usage-window';

const now = new Date('2026-11-20T12:34:56.789Z');
const iso = (d: Date | undefined) => d?.toISOString();

function refusal(from: string, to: string | undefined): { path: string; message: string } {
  try {
    usageWindow(from, to, now);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    return (error as AppError).details![0];
  }
  throw new Error('not refused');
}

describe('usage window', () => {
  it.each([
    [
      'whole hours only: all from the rollup',
      '2026-11-01T00:00:00Z',
      '2026-11-02T00:00:00Z',
      ['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      [],
    ],
    [
      'ragged ends: the partial hours from the ledger, the rest from the rollup',
      '2026-11-01T10:17:45Z',
      '2026-11-01T13:05:00Z',
      ['2026-11-01T11:00:00.000Z', '2026-11-01T13:00:00.000Z'],
      [
        ['2026-11-01T10:17:00.000Z', '2026-11-01T11:00:00.000Z'],
        ['2026-11-01T13:00:00.000Z', '2026-11-01T13:05:00.000Z'],
      ],
    ],
    [
      'inside one hour: all from the ledger',
      '2026-11-01T10:17:00Z',
      '2026-11-01T10:18:59Z',
      null,
      [['2026-11-01T10:17:00.000Z', '2026-11-01T10:18:00.000Z']],
    ],
    [
      'across one hour boundary without a whole hour: all from the ledger',
      '2026-11-01T10:30:00Z',
      '2026-11-01T11:30:00Z',
      null,
      [['2026-11-01T10:30:00.000Z', '2026-11-01T11:30:00.000Z']],
    ],
    [
      'an offset is read as the instant it names',
      '2026-11-01T12:00:00+02:00',
      '2026-11-01T12:30:00+01:00',
      ['2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z'],
      [['2026-11-01T11:00:00.000Z', '2026-11-01T11:30:00.000Z']],
    ],
  ])('%s', (_, from, to, hours, minutes) => {
    const window = usageWindow(from, to, now);
    expect(window.hours ? [iso(window.hours.from), iso(window.hours.to)] : null).toEqual(hours);
    expect(window.minutes.map((span) => [iso(span.from), iso(span.to)])).toEqual(minutes);
  });

  it('to defaults to now, rounded down to the minute', () => {
    const window = usageWindow('2026-11-20T00:00:00Z', undefined, now);
    expect(iso(window.to)).toBe('2026-11-20T12:34:00.000Z');
    expect(window.minutes.map((span) => iso(span.from))).toEqual(['2026-11-20T12:00:00.000Z']);
  });

  it.each([
    ['to before from', '2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z', 'query.to'],
    ['to equal to from', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z', 'query.to'],
    ['to in the same minute as from', '2026-11-02T00:00:10Z', '2026-11-02T00:00:50Z', 'query.to'],
    ['from in the future with to defaulting to now', '2026-12-01T00:00:00Z', undefined, 'query.to'],
    ['a range of 366 days and a minute', '2025-11-19T00:00:00Z', '2026-11-20T00:01:00Z', 'query.from'],
    ['a from in the year 26', '0026-11-01T00:00:00Z', '0026-11-02T00:00:00Z', 'query.from'],
    ['a from in 1969', '1969-12-31T00:00:00Z', '1970-01-01T00:00:00Z', 'query.from'],
  ])('refuses %s, naming %s', (_, from, to, path) => {
    expect(refusal(from, to).path).toBe(path);
  });

  it('accepts exactly 366 days', () => {
    expect(usageWindow('2025-11-19T00:00:00Z', '2026-11-20T00:00:00Z', now).hours).not.toBeNull();
  });

  it.each([
    ['2026-11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-02', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
  ])('the period %s is [%s, %s)', (period, from, to) => {
    const month = monthOf(period);
    expect([iso(month.from), iso(month.to)]).toEqual([from, to]);
  });

  it.each([['0026-11'], ['0099-01'], ['0000-01'], ['1969-12']])('refuses the period %s (before 1970), naming period', (period) => {
    let caught: unknown;
    try {
      monthOf(period);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).details![0].path).toBe('period');
  });

  it('the period 1970-01 is the first month', () => {
    expect(iso(monthOf('1970-01').from)).toBe('1970-01-01T00:00:00.000Z');
  });
});
