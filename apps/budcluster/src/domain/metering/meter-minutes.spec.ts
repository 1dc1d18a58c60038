import type { JobResources, PriceTable } from '@bud/contracts';
import { floorMinute, meterMinutes, microsToDecimal, monthsIn, priceAt, rowCostMicros } from './meter-minutes';
import type { MeterSegment, PriceBookEntryAt } from './meter-minutes';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const at = (hhmmss: string) => Date.parse(`2026-11-29T${hhmmss}Z`);
const CLUSTER = '00000000-0000-4000-8000-0000000000c1';
const JOB = '00000000-0000-4000-8000-0000000000a1';
/** $2.00 per A100-hour, $0.04 per vCPU-hour, $0.005 per GiB-hour: one replica of 1 GPU, 4 vCPU, 16 GiB costs $2.24/h. */
const PRICES: PriceTable = { gpu_hour: { A100: 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005, storage_gib_month: 0 };
const BOOK = new Map<string, PriceBookEntryAt[]>([[CLUSTER, [{ effectiveFrom: T0 - 86_400_000, prices: PRICES }]]]);
const ONE: JobResources = { gpu_type: 'A100', gpu_count: 1, cpu_request: '4', memory_request: '16Gi', replicas: 1 };

function segment(startedAt: number, endedAt: number | null, resources: JobResources = ONE): MeterSegment {
  return {
    jobId: JOB,
    tenantId: 't',
    projectId: null,
    deploymentId: null,
    clusterId: CLUSTER,
    jobName: 'j',
    resources,
    startedAt,
    endedAt,
  };
}

/** Per minute: [minute, gpu_ms, cost µ$]; and the totals. */
function summary(segments: MeterSegment[], from: number, to: number, book = BOOK) {
  const { rows, unpriced } = meterMinutes(segments, book, from, to);
  return {
    rows: rows.map((row) => [new Date(row.minute).toISOString().slice(11, 16), Number(row.gpuMs), Number(row.costMicros)]),
    gpuMinutes: rows.reduce((sum, row) => sum + Number(row.gpuMs), 0) / 60_000,
    costMicros: rows.reduce((sum, row) => sum + Number(row.costMicros), 0),
    unpriced,
  };
}

describe('meterMinutes: a job’s held intervals become exact GPU-minutes and micro-dollars per minute', () => {
  // A full minute of $2.24/h is 37,333.33 µ$ → 37,333; 30 s is 18,666.67 → 18,667 (rounded half up once per row).
  const table: Array<{
    name: string;
    segments: MeterSegment[];
    from: number;
    to: number;
    rows: unknown[];
    gpuMinutes: number;
    cost: number;
  }> = [
    {
      name: 'start mid-minute, still running',
      segments: [segment(at('10:00:30'), null)],
      from: T0,
      to: at('10:03:00'),
      rows: [
        ['10:00', 30_000, 18_667],
        ['10:01', 60_000, 37_333],
        ['10:02', 60_000, 37_333],
      ],
      gpuMinutes: 2.5,
      cost: 93_333,
    },
    {
      name: 'scale 1→3 mid-minute: one row for the minute, 20 s × 1 + 40 s × 3',
      segments: [segment(T0, at('10:00:20')), segment(at('10:00:20'), null, { ...ONE, replicas: 3 })],
      from: T0,
      to: at('10:02:00'),
      rows: [
        ['10:00', 140_000, 87_111],
        ['10:01', 180_000, 112_000],
      ],
      gpuMinutes: 320 / 60,
      cost: 199_111,
    },
    {
      name: 'preempted at 10:00:45, admitted again at 10:01:15',
      segments: [segment(T0, at('10:00:45')), segment(at('10:01:15'), null)],
      from: T0,
      to: at('10:03:00'),
      rows: [
        ['10:00', 45_000, 28_000],
        ['10:01', 45_000, 28_000],
        ['10:02', 60_000, 37_333],
      ],
      gpuMinutes: 2.5,
      cost: 93_333,
    },
    {
      name: 'stopped at 10:00:30, started again at 10:05: nothing while stopped',
      segments: [segment(T0, at('10:00:30')), segment(at('10:05:00'), null)],
      from: T0,
      to: at('10:06:00'),
      rows: [
        ['10:00', 30_000, 18_667],
        ['10:05', 60_000, 37_333],
      ],
      gpuMinutes: 1.5,
      cost: 56_000,
    },
    {
      name: 'failed at 10:00:40, retried and admitted at 10:02:10: both runs count, on the same job',
      segments: [segment(T0, at('10:00:40')), segment(at('10:02:10'), null)],
      from: T0,
      to: at('10:03:00'),
      rows: [
        ['10:00', 40_000, 24_889],
        ['10:02', 50_000, 31_111],
      ],
      gpuMinutes: 1.5,
      cost: 56_000,
    },
    {
      name: 'deleted while running at 10:01:30: held until the delete, nothing after',
      segments: [segment(T0, at('10:01:30'))],
      from: T0,
      to: at('10:04:00'),
      rows: [
        ['10:00', 60_000, 37_333],
        ['10:01', 30_000, 18_667],
      ],
      gpuMinutes: 1.5,
      cost: 56_000,
    },
    {
      name: 'a job without GPUs: CPU and memory only, GPU type ""',
      segments: [segment(T0, null, { gpu_count: 0, cpu_request: '500m', memory_request: '512Mi', replicas: 2 })],
      from: T0,
      to: at('10:01:00'),
      // 2 × (0.5 vCPU × $0.04 + 0.5 GiB × $0.005) = $0.045/h → 750 µ$ per minute
      rows: [['10:00', 0, 750]],
      gpuMinutes: 0,
      cost: 750,
    },
  ];

  it.each(table)('$name', ({ segments, from, to, rows, gpuMinutes, cost }) => {
    const result = summary(segments, from, to);
    expect(result.rows).toEqual(rows);
    expect(result.gpuMinutes).toBeCloseTo(gpuMinutes, 9);
    expect(result.costMicros).toBe(cost);
    expect(result.unpriced).toBe(0);
  });

  it('a price change at 10:30:30 applies from 10:31, never backwards', () => {
    const book = new Map([
      [
        CLUSTER,
        [
          { effectiveFrom: T0 - 86_400_000, prices: PRICES },
          { effectiveFrom: at('10:30:30'), prices: { ...PRICES, gpu_hour: { A100: 3 } } },
        ],
      ],
    ]);
    const result = meterMinutes([segment(at('10:29:00'), at('10:32:00'))], book, at('10:29:00'), at('10:33:00'));
    expect(result.rows.map((row) => [new Date(row.minute).toISOString().slice(11, 16), row.gpuHourPriceMicros, row.costMicros])).toEqual([
      ['10:29', 2_000_000n, 37_333n],
      ['10:30', 2_000_000n, 37_333n],
      // $3.24/h for a minute: 54,000 µ$
      ['10:31', 3_000_000n, 54_000n],
    ]);
  });

  it('metering a range in chunks writes exactly the rows of one pass (a restart mid-way neither doubles nor skips)', () => {
    const segments = [segment(at('10:00:10'), at('10:07:50')), segment(at('10:09:05'), null, { ...ONE, replicas: 2 })];
    const whole = meterMinutes(segments, BOOK, T0, at('10:12:00')).rows;
    const chunked = [T0, at('10:03:00'), at('10:04:00'), at('10:09:00'), at('10:12:00')]
      .slice(0, -1)
      .flatMap((from, i, starts) => meterMinutes(segments, BOOK, from, starts[i + 1] ?? at('10:12:00')).rows);
    expect(chunked).toEqual(whole);
  });

  it('a GPU type the book does not price costs 0 for its GPUs and is counted', () => {
    const result = summary([segment(T0, null, { ...ONE, gpu_type: 'H100' })], T0, at('10:02:00'));
    // 4 vCPU × $0.04 + 16 GiB × $0.005 = $0.24/h → 4,000 µ$ a minute
    expect(result.rows).toEqual([
      ['10:00', 60_000, 4_000],
      ['10:01', 60_000, 4_000],
    ]);
    expect(result.unpriced).toBe(2);
  });

  it('a cluster without a book prices everything 0 and counts it', () => {
    expect(summary([segment(T0, null)], T0, at('10:01:00'), new Map()).unpriced).toBe(1);
  });

  it('refuses a range that is not whole minutes', () => {
    expect(() => meterMinutes([], BOOK, T0 + 1, at('10:01:00'))).toThrow('whole minutes');
  });
});

describe('metering helpers', () => {
  it('priceAt: the latest entry in effect, the first one before any', () => {
    const book = [
      { effectiveFrom: 100, prices: { ...PRICES, vcpu_hour: 1 } },
      { effectiveFrom: 200, prices: { ...PRICES, vcpu_hour: 2 } },
    ];
    expect(priceAt(book, 50)?.vcpu_hour).toBe(1);
    expect(priceAt(book, 199)?.vcpu_hour).toBe(1);
    expect(priceAt(book, 200)?.vcpu_hour).toBe(2);
    expect(priceAt([], 200)).toBeNull();
  });

  it('rowCostMicros rounds half up once', () => {
    // 1,000 millicore-ms (1 ms of a vCPU) at $1.80/h = 0.5 µ$ → 1; 999 → 0.4995 µ$ → 0
    expect(rowCostMicros({ gpuMs: 0n, cpuMillicoreMs: 1_000n, memoryByteMs: 0n }, { gpu: 0n, vcpu: 1_800_000n, memory: 0n })).toBe(1n);
    expect(rowCostMicros({ gpuMs: 0n, cpuMillicoreMs: 999n, memoryByteMs: 0n }, { gpu: 0n, vcpu: 1_800_000n, memory: 0n })).toBe(0n);
  });

  it('microsToDecimal, floorMinute, monthsIn', () => {
    expect(microsToDecimal(1_234_567n)).toBe('1.234567');
    expect(microsToDecimal(-5n)).toBe('-0.000005');
    expect(floorMinute(at('10:00:59.999'))).toBe(T0);
    expect(
      monthsIn(Date.parse('2026-11-30T23:00:00Z'), Date.parse('2027-01-01T00:01:00Z')).map((m) => new Date(m).toISOString().slice(0, 7)),
    ).toEqual(['2026-11', '2026-12', '2027-01']);
  });
});
