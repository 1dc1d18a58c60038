import { BUILT_IN_DEFAULT_QUOTA } from '../quota-model';
import type { ClusterQuotas, TenantQuota } from '../quota-model';
import type { AdmissionState, AdmittedWorkload, QueuedWorkload } from './admission-model';
import { admissionStep } from './admission-step';
import { gpuFlavorName, quantityString } from './flavors';

const H100 = 'H100-80GB';
const NOW = 1_000_000;
const LOW = 1;
const NORMAL = 10;
const HIGH = 100;

/** A tenant's quota: H100 nominal and borrowing limit (null: unlimited), plus any other field. */
function quota(tenantId: string, nominal: number, borrowingLimit: number | null = null, other: Partial<TenantQuota> = {}): TenantQuota {
  return { ...BUILT_IN_DEFAULT_QUOTA, tenantId, gpus: { [H100]: { nominal, borrowingLimit } }, ...other };
}

/** A workload waiting since `queuedAt` (or admitted at `admittedAt`), asking for H100s unless told otherwise. */
function work(
  id: string,
  tenantId: string,
  gpus: number,
  other: Partial<AdmittedWorkload> & { product?: string | null } = {},
): AdmittedWorkload {
  const { product = H100, ...rest } = other;
  return {
    id,
    tenantId,
    priority: NORMAL,
    demand: { product, gpus, cpuMillis: 0, memoryBytes: 0 },
    queuedAt: 0,
    admittedAt: 0,
    ...rest,
  };
}

function state(options: {
  preemption?: 'classical' | 'fair-sharing';
  inventory?: Record<string, number>;
  quotas?: TenantQuota[];
  defaultQuota?: TenantQuota;
  admitted?: AdmittedWorkload[];
  waiting?: QueuedWorkload[];
}): AdmissionState {
  const quotas: ClusterQuotas = { defaultQuota: options.defaultQuota ?? BUILT_IN_DEFAULT_QUOTA, tenants: options.quotas ?? [] };
  return {
    inventory: options.inventory ?? { [H100]: 8 },
    quotas,
    admitted: options.admitted ?? [],
    waiting: options.waiting ?? [],
    preemption: options.preemption,
  };
}

/** Two tenants with 4 H100s each on an 8-GPU cluster (the scenario). */
const halves = [quota('a', 4), quota('b', 4)];
const four = (tenant: string, other: Partial<AdmittedWorkload> = {}) =>
  [1, 2, 3, 4].map((n) => work(`${tenant}${n}`, tenant, 1, { admittedAt: n, ...other }));

interface Case {
  name: string;
  given: AdmissionState;
  /** [workload, flavor, borrowed] in decision order. */
  admit?: Array<[string, string, number]>;
  /** [victim, preemptor, reason]. */
  preempt?: Array<[string, string, string]>;
  /** Waiting workload → [position, message]. */
  positions?: Record<string, [number, string]>;
  neverFits?: string[];
}

const GPU = gpuFlavorName(H100);
const short = (more: number) =>
  `couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor ${GPU}, ${more} more needed`;

const cases: Case[] = [
  {
    name: 'work within the nominal quota is admitted on its GPU flavor, borrowing nothing',
    given: state({ quotas: halves, waiting: [work('a1', 'a', 3)] }),
    admit: [['a1', 'gpu-h100-80gb', 0]],
  },
  {
    name: "a fifth GPU borrows the idle tenant's quota",
    given: state({ quotas: halves, admitted: four('a'), waiting: [work('a5', 'a', 1)] }),
    admit: [['a5', GPU, 1]],
  },
  {
    name: "a fifth GPU queues with Kueue's message when the other tenant uses its quota",
    given: state({ quotas: halves, admitted: [...four('a'), ...four('b')], waiting: [work('a5', 'a', 1)] }),
    positions: { a5: [1, short(1)] },
  },
  {
    name: 'the borrowing limit caps what a tenant borrows',
    given: state({ quotas: [quota('a', 4, 1), quota('b', 4)], admitted: four('a'), waiting: [work('a5', 'a', 2), work('a6', 'a', 1)] }),
    admit: [['a6', GPU, 1]],
    positions: { a5: [1, short(2)] },
  },
  {
    name: 'more than the cohort holds never fits',
    given: state({ quotas: halves, waiting: [work('a1', 'a', 9)] }),
    positions: {
      a1: [
        1,
        `couldn't assign flavors to pod set main: insufficient quota for nvidia.com/gpu in flavor ${GPU}, previously considered podsets requests (0) + current podset request (9) > maximum capacity (8)`,
      ],
    },
    neverFits: ['a1'],
  },
  {
    name: 'a GPU product the cluster lacks never fits',
    given: state({ quotas: halves, waiting: [work('a1', 'a', 1, { product: 'L40S' })] }),
    neverFits: ['a1'],
  },
  {
    name: 'a tenant outside the cohort neither borrows nor lends',
    given: state({
      quotas: [quota('a', 4, 0, { cohort: false }), quota('b', 4)],
      admitted: four('a'),
      waiting: [work('a5', 'a', 1), work('b1', 'b', 5)],
    }),
    positions: { a5: [1, short(1)], b1: [1, expect.stringContaining('maximum capacity (4)')] },
    neverFits: ['b1'],
  },
  {
    name: 'with the built-in default the whole inventory is one pool, shared by the lowest share after admission',
    given: state({
      waiting: [work('a1', 'a', 6, { queuedAt: 1 }), work('b1', 'b', 3, { queuedAt: 2 }), work('b2', 'b', 2, { queuedAt: 3 })],
    }),
    admit: [
      ['b1', GPU, 3],
      ['b2', GPU, 2],
    ],
    positions: { a1: [1, short(3)] },
  },
  {
    name: 'work without GPUs and without CPU or memory limits is admitted on the default flavor',
    given: state({ quotas: halves, admitted: [...four('a'), ...four('b')], waiting: [work('c1', 'a', 0, { product: null })] }),
    admit: [['c1', 'default', 0]],
  },
  {
    name: 'inside a queue, priority first, then the order of arrival; positions follow it',
    given: state({
      quotas: halves,
      admitted: [...four('a', { priority: HIGH }), ...four('b', { priority: HIGH })],
      waiting: [
        work('late', 'a', 1, { queuedAt: 3 }),
        work('early', 'a', 1, { queuedAt: 1 }),
        work('urgent', 'a', 1, { queuedAt: 5, priority: HIGH }),
        work('other', 'b', 1, { queuedAt: 2, priority: HIGH }),
      ],
    }),
    positions: { urgent: [1, short(1)], early: [2, short(1)], late: [3, short(1)], other: [1, short(1)] },
  },
  {
    name: 'BestEffortFIFO: a small job passes a larger one that does not fit',
    given: state({
      quotas: [quota('a', 4, 0), quota('b', 4)],
      admitted: [work('a1', 'a', 2)],
      waiting: [work('big', 'a', 3, { queuedAt: 1 }), work('small', 'a', 2, { queuedAt: 2 })],
    }),
    admit: [['small', GPU, 0]],
    positions: { big: [1, short(3)] },
  },
  {
    name: 'a tenant under its nominal quota reclaims it from a borrowing tenant, most recently admitted first',
    given: state({
      quotas: halves,
      admitted: [...four('a'), work('a5', 'a', 1, { admittedAt: 5 }), work('a6', 'a', 1, { admittedAt: 6 })],
      waiting: [work('b1', 'b', 3)],
    }),
    admit: [['b1', GPU, 0]],
    preempt: [['a6', 'b1', 'InCohortReclamation']],
    positions: { a6: [1, short(1)] },
  },
  {
    name: 'reclaiming takes lower priority borrowed work before newer work',
    given: state({
      quotas: halves,
      admitted: [...four('a'), work('a5', 'a', 1, { admittedAt: 5, priority: LOW }), work('a6', 'a', 1, { admittedAt: 6 })],
      waiting: [work('b1', 'b', 3)],
    }),
    admit: [['b1', GPU, 0]],
    preempt: [['a5', 'b1', 'InCohortReclamation']],
  },
  {
    name: 'reclaiming evicts only while the other tenant still borrows, never its work within quota',
    given: state({
      quotas: halves,
      admitted: [...four('a'), work('a5', 'a', 1, { admittedAt: 5 }), work('b1', 'b', 2)],
      waiting: [work('b2', 'b', 2)],
    }),
    admit: [['b2', GPU, 0]],
    preempt: [['a5', 'b2', 'InCohortReclamation']],
  },
  {
    name: 'a tenant that would borrow itself does not reclaim (borrowWithinCohort: Never)',
    given: state({
      quotas: [quota('a', 2), quota('b', 2)],
      inventory: { [H100]: 8 },
      admitted: [work('a1', 'a', 2), work('b1', 'b', 6)],
      waiting: [work('a2', 'a', 1)],
    }),
    positions: { a2: [1, short(1)] },
  },
  {
    name: "classical: with the built-in default, another tenant's running work is never preempted",
    given: state({
      admitted: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => work(`a${n}`, 'a', 1, { admittedAt: n })),
      waiting: [work('b1', 'b', 1)],
    }),
    positions: { b1: [1, short(1)] },
  },
  {
    name: 'Kueue fair-sharing preemption: a borrower preempts a tenant that borrows far more once its share stays below that tenant’s share',
    given: state({
      preemption: 'fair-sharing',
      quotas: [quota('a', 2), quota('b', 2)],
      inventory: { [H100]: 8 },
      admitted: [work('a1', 'a', 2), work('b1', 'b', 6)],
      waiting: [work('a2', 'a', 1)],
    }),
    admit: [['a2', GPU, 1]],
    preempt: [['b1', 'a2', 'InCohortFairSharing']],
    positions: { b1: [1, short(1)] },
  },
  {
    name: 'Kueue fair-sharing preemption: with the built-in default, a newcomer preempts the tenant that holds the whole pool',
    given: state({
      preemption: 'fair-sharing',
      admitted: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => work(`a${n}`, 'a', 1, { admittedAt: n })),
      waiting: [work('b1', 'b', 1)],
    }),
    admit: [['b1', GPU, 1]],
    preempt: [['a8', 'b1', 'InCohortFairSharing']],
  },
  {
    name: 'Kueue fair-sharing preemption: no preemption that would leave the preemptor with the larger share',
    given: state({
      preemption: 'fair-sharing',
      admitted: [...four('a'), ...four('b')],
      waiting: [work('b5', 'b', 1)],
    }),
    positions: { b5: [1, short(1)] },
  },
  {
    name: 'Kueue fair-sharing preemption: weights 2:1 on 8 GPUs, the lighter tenant stops preempting at 6:2',
    given: state({
      preemption: 'fair-sharing',
      quotas: [quota('a', 0, null, { weight: 2 }), quota('b', 0)],
      admitted: [...[1, 2, 3, 4, 5, 6].map((n) => work(`a${n}`, 'a', 1, { admittedAt: n })), work('b1', 'b', 1), work('b2', 'b', 1)],
      waiting: [work('b3', 'b', 1)],
    }),
    positions: { b3: [1, short(1)] },
  },
  {
    name: 'higher priority preempts the lowest priority of its own tenant, then the most recently admitted',
    given: state({
      quotas: halves,
      admitted: [
        work('a1', 'a', 1, { priority: LOW, admittedAt: 1 }),
        work('a2', 'a', 1, { priority: LOW, admittedAt: 2 }),
        work('a3', 'a', 2, { priority: NORMAL, admittedAt: 3 }),
        ...four('b'),
      ],
      waiting: [work('urgent', 'a', 1, { priority: HIGH })],
    }),
    admit: [['urgent', GPU, 0]],
    preempt: [['a2', 'urgent', 'InClusterQueue']],
    positions: { a2: [1, short(1)] },
  },
  {
    name: 'of work admitted in the same step, the later arrival is preempted first',
    given: state({
      quotas: halves,
      admitted: [
        work('early', 'a', 2, { priority: LOW, admittedAt: 7, queuedAt: 1 }),
        work('late', 'a', 2, { priority: LOW, admittedAt: 7, queuedAt: 2 }),
        ...four('b'),
      ],
      waiting: [work('urgent', 'a', 1, { priority: HIGH })],
    }),
    admit: [['urgent', GPU, 0]],
    preempt: [['late', 'urgent', 'InClusterQueue']],
  },
  {
    name: 'preemption takes the smallest set, in victim order',
    given: state({
      quotas: halves,
      admitted: [work('a1', 'a', 1, { priority: LOW, admittedAt: 9 }), work('a2', 'a', 3, { priority: LOW, admittedAt: 1 }), ...four('b')],
      waiting: [work('urgent', 'a', 3, { priority: HIGH })],
    }),
    admit: [['urgent', GPU, 0]],
    preempt: [['a2', 'urgent', 'InClusterQueue']],
  },
  {
    name: 'equal priority never preempts',
    given: state({ quotas: halves, admitted: [...four('a'), ...four('b')], waiting: [work('a5', 'a', 1)] }),
    positions: { a5: [1, short(1)] },
  },
  {
    name: 'a quota lowered below what a tenant holds evicts nothing; its new work queues',
    given: state({ quotas: [quota('a', 1, 0), quota('b', 4)], admitted: four('a'), waiting: [work('a5', 'a', 1)] }),
    positions: { a5: [1, short(1)] },
  },
  {
    name: 'fair sharing: of two borrowing tenants, the one with the lower share goes first',
    given: state({
      inventory: { [H100]: 8 },
      admitted: [work('a1', 'a', 4), work('b1', 'b', 2)],
      waiting: [work('a2', 'a', 1, { queuedAt: 1 }), work('b2', 'b', 1, { queuedAt: 2 }), work('b3', 'b', 1, { queuedAt: 3 })],
    }),
    admit: [
      ['b2', GPU, 1],
      ['b3', GPU, 1],
    ],
    positions: { a2: [1, short(1)] },
  },
  {
    name: 'fair sharing weighs shares: weight 2 holds twice as much before the other goes first',
    given: state({
      quotas: [quota('a', 0, null, { weight: 2 }), quota('b', 0)],
      inventory: { [H100]: 6 },
      waiting: [
        ...[1, 2, 3, 4, 5].map((n) => work(`a${n}`, 'a', 1, { queuedAt: n })),
        ...[1, 2, 3, 4, 5].map((n) => work(`b${n}`, 'b', 1, { queuedAt: n })),
      ],
    }),
    admit: [
      ['a1', GPU, 1],
      ['b1', GPU, 1],
      ['a2', GPU, 1],
      ['a3', GPU, 1],
      ['b2', GPU, 1],
      ['a4', GPU, 1],
    ],
  },
  {
    name: 'a CPU limit counts CPU on the default flavor and says how much is missing',
    given: state({
      quotas: [quota('a', 4, null, { cpuMillis: { nominal: 2000, borrowingLimit: 0 } })],
      waiting: [
        { ...work('c1', 'a', 0, { product: null }), demand: { product: null, gpus: 0, cpuMillis: 1500, memoryBytes: 0 } },
        { ...work('c2', 'a', 0, { product: null, queuedAt: 1 }), demand: { product: null, gpus: 0, cpuMillis: 1000, memoryBytes: 0 } },
      ],
    }),
    admit: [['c1', 'default', 0]],
    positions: {
      c2: [1, "couldn't assign flavors to pod set main: insufficient unused quota for cpu in flavor default, 500m more needed"],
    },
  },
];

describe('admissionStep', () => {
  it.each(cases)('$name', ({ given, admit = [], preempt = [], positions = {}, neverFits = [] }) => {
    const result = admissionStep(given, NOW);
    expect(result.admit.map((entry) => [entry.workloadId, entry.flavor, entry.borrowed])).toEqual(admit);
    expect(result.preempt.map((entry) => [entry.victimId, entry.byId, entry.reason])).toEqual(preempt);
    const standing = Object.fromEntries([...result.positions].map(([id, entry]) => [id, [entry.position, entry.message]]));
    expect(standing).toMatchObject(positions);
    expect(
      [...result.positions]
        .filter(([, entry]) => entry.neverFits)
        .map(([id]) => id)
        .sort(),
    ).toEqual([...neverFits].sort());
  });

  it('names the preemptor and the reason in the victim’s message', () => {
    const result = admissionStep(
      state({ quotas: halves, admitted: [...four('a'), work('a5', 'a', 1)], waiting: [work('b1', 'b', 4)] }),
      NOW,
    );
    expect(result.preempt[0]?.message).toBe('Preempted to accommodate a workload (job b1) due to reclamation within the cohort');
  });

  it('requeues a victim at the time of the step, behind work of its priority that waited before', () => {
    const result = admissionStep(
      state({
        quotas: halves,
        admitted: [...four('a'), work('a5', 'a', 1, { admittedAt: 5 })],
        waiting: [work('b1', 'b', 4), work('a6', 'a', 1, { queuedAt: NOW - 1 })],
      }),
      NOW,
    );
    expect(result.preempt.map((entry) => entry.victimId)).toEqual(['a5']);
    expect(result.positions.get('a6')?.position).toBe(1);
    expect(result.positions.get('a5')?.position).toBe(2);
  });

  it('gives the same answer for the same state and time', () => {
    const given = state({ quotas: halves, admitted: four('a'), waiting: [work('b1', 'b', 2), work('a5', 'a', 2)] });
    expect(admissionStep(given, NOW)).toEqual(admissionStep(given, NOW));
  });
});

describe('quantityString', () => {
  it.each([
    ['cpu', 2000, '2'],
    ['cpu', 500, '500m'],
    ['memory', 2 ** 31, '2Gi'],
    ['memory', 1000, '1000'],
    ['nvidia.com/gpu', 3, '3'],
  ])('%s %d → %s', (resource, amount, text) => expect(quantityString(resource, amount)).toBe(text));
});

describe('gpuFlavorName', () => {
  it.each([
    ['H100-80GB', 'gpu-h100-80gb'],
    ['A100_40GB.sxm', 'gpu-a100-40gb-sxm'],
  ])('%s → %s', (product, flavor) => expect(gpuFlavorName(product)).toBe(flavor));
});
