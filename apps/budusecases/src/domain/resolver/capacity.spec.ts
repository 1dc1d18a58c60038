import type { QuotaResponse } from '@bud/contracts';
import type { QuotaInput } from './capacity';
import { capacityVerdict, quotaVerdict, withQuotaVerdict } from './capacity';

type Gpus = QuotaResponse['gpus'];
type Usage = Record<string, { admitted: number; borrowed?: number; queued?: number }>;

/** A tenant's effective quota on an 8 × H100 + 2 × L4 cluster, with what its work holds. */
function input(gpus: Gpus, usage: Usage = {}, fields: { cohort?: boolean; free?: Record<string, number> } = {}): QuotaInput {
  return {
    quota: {
      source: 'tenant',
      gpus,
      cohort: fields.cohort ?? true,
      usage: {
        gpus: Object.fromEntries(
          Object.entries(usage).map(([type, u]) => [type, { admitted: u.admitted, borrowed: u.borrowed ?? 0, queued: u.queued ?? 0 }]),
        ),
        cpu: '0',
        memory: '0',
      },
    },
    inventory: { H100: 8, L4: 2 },
    free: fields.free ?? { H100: 8, L4: 2 },
  };
}
const four = (borrowing_limit: number | null = null): Gpus => ({ H100: { nominal: 4, borrowing_limit } });

describe('quotaVerdict', () => {
  const cases: Array<{ name: string; demand: Record<string, number>; input: QuotaInput; outcome: string; message: RegExp }> = [
    {
      name: 'a stack without GPUs runs now',
      demand: {},
      input: input(four()),
      outcome: 'runs_now',
      message: /needs no GPUs/,
    },
    {
      name: 'within the nominal quota with GPUs free, it runs now',
      demand: { H100: 2 },
      input: input(four(), { H100: { admitted: 2 } }),
      outcome: 'runs_now',
      message: /within your quota: 2 × H100$/,
    },
    {
      name: 'beyond nominal but within the borrowing limit and free GPUs, it runs now on borrowed GPUs',
      demand: { H100: 3 },
      input: input(four(2), { H100: { admitted: 3 } }),
      outcome: 'runs_now',
      message: /2 of them borrowed beyond your nominal 4/,
    },
    {
      name: 'a product the quota does not name borrows from the cohort',
      demand: { L4: 1 },
      input: input(four()),
      outcome: 'runs_now',
      message: /1 of them borrowed beyond your nominal 0/,
    },
    {
      name: 'within the quota but the cluster is full: it queues for GPUs to free up, reclaiming within nominal',
      demand: { H100: 3 },
      input: input(four(), {}, { free: { H100: 1 } }),
      outcome: 'queues',
      message: /needs 3 × H100 but 1 free: waits for 2 to free up \(within your nominal quota/,
    },
    {
      name: 'its own work holds the quota and borrowing limit: it waits for its own work',
      demand: { H100: 3 },
      input: input(four(1), { H100: { admitted: 4, queued: 2 } }),
      outcome: 'queues',
      message: /your work holds 4 \(nominal 4, borrowing limit 1\), so it waits for 2 of yours to free up; 2 of your GPUs/,
    },
    {
      name: 'more than nominal + borrowing limit can never fit',
      demand: { H100: 6 },
      input: input(four(1)),
      outcome: 'never_fits',
      message: /needs 6 × H100 but your quota allows at most 5 \(nominal 4, borrowing limit 1\)/,
    },
    {
      name: 'outside the cohort only the nominal quota counts',
      demand: { H100: 5 },
      input: input({ H100: { nominal: 4, borrowing_limit: null } }, {}, { cohort: false }),
      outcome: 'never_fits',
      message: /at most 4 \(nominal 4, outside the cohort\)/,
    },
    {
      name: 'more than the whole cluster can never fit, whatever the quota',
      demand: { H100: 9 },
      input: input(four()),
      outcome: 'never_fits',
      message: /needs 9 × H100 but the cluster has 8 in all/,
    },
    {
      name: 'a type the cluster lacks can never fit',
      demand: { A100: 1 },
      input: input(four()),
      outcome: 'never_fits',
      message: /needs 1 × A100 but the cluster has 0 in all/,
    },
    {
      name: 'the worst type decides, and the message names only the types that do not run now',
      demand: { H100: 1, L4: 3 },
      input: input(four()),
      outcome: 'never_fits',
      message: /^needs 3 × L4 but the cluster has 2 in all$/,
    },
  ];
  it.each(cases)('$name', ({ demand, input: given, outcome, message }) => {
    const verdict = quotaVerdict(demand, given);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.message).toMatch(message);
  });

  it('an absent usage counts as nothing held', () => {
    const given = input(four(0));
    const verdict = quotaVerdict({ H100: 4 }, { ...given, quota: { ...given.quota, usage: null } });
    expect(verdict.outcome).toBe('runs_now');
  });
});

describe('withQuotaVerdict', () => {
  it('adds the quota part from the verdict’s own demand', () => {
    const capacity = capacityVerdict({ H100: 6 }, { H100: 8 });
    expect(withQuotaVerdict(capacity, input(four(1))).quota).toEqual({
      outcome: 'never_fits',
      message: 'needs 6 × H100 but your quota allows at most 5 (nominal 4, borrowing limit 1)',
    });
    expect(withQuotaVerdict(capacity, input(four(1))).admits).toBe(true);
  });

  it('leaves the verdict without a quota part when budcluster reported none', () => {
    const capacity = capacityVerdict({ H100: 1 }, { H100: 8 });
    expect(withQuotaVerdict(capacity, { quota: null, inventory: {}, free: {} })).toEqual(capacity);
    expect('quota' in withQuotaVerdict(capacity, { quota: null, inventory: {}, free: {} })).toBe(false);
  });
});

describe('capacityVerdict', () => {
  it('reads a GPU type named like an Object member as absent, not as a free count', () => {
    const verdict = capacityVerdict({ constructor: 1 }, { 'H100-80GB': 8 });
    expect(verdict).toMatchObject({ admits: false, gpus: [{ gpu_type: 'constructor', requested: 1, free: 0, sufficient: false }] });
  });
});
