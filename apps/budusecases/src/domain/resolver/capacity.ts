import type { CapacityVerdict, GpuInventory, QuotaResponse, QuotaVerdict } from '@bud/contracts';

/** Whether the cluster's free GPUs cover the plan's demand right now, per GPU type. */
export function capacityVerdict(demand: Readonly<Record<string, number>>, free: GpuInventory): CapacityVerdict {
  const gpus = Object.entries(demand)
    .filter(([, requested]) => requested > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([gpu_type, requested]) => {
      const available = ownValue(free, gpu_type) ?? 0;
      return { gpu_type, requested, free: available, sufficient: requested <= available };
    });
  const short = gpus.filter((g) => !g.sufficient);
  const message =
    short.length === 0
      ? gpus.length === 0
        ? 'needs no GPUs'
        : 'enough free GPUs of every requested type'
      : short.map((g) => `needs ${g.requested} × ${g.gpu_type} but ${g.free} free`).join('; ');
  return { admits: short.length === 0, gpus, message };
}

/** What the quota verdict reads: the caller's effective quota with its usage, and the cluster's GPUs. */
export interface QuotaInput {
  quota: Pick<QuotaResponse, 'gpus' | 'cohort' | 'usage' | 'source'>;
  inventory: GpuInventory;
  free: GpuInventory;
}

type Outcome = QuotaVerdict['outcome'];
const severity: Record<Outcome, number> = { runs_now: 0, queues: 1, never_fits: 2 };

/**
 * The quota part of the capacity verdict (docs/design.md#quotas), per GPU type of the demand, with the rules the
 * drivers admit by: work fits when the tenant's admitted GPUs plus the demand stay within its nominal quota, or the
 * excess stays within its borrowing limit (in the cohort) and the cluster has that many free. It can never fit when the
 * demand alone is more than nominal + borrowing limit (nominal alone outside the cohort) or than the whole cluster
 * holds. The whole verdict is the worst type's; the message names the numbers of every type that does not run now.
 */
export function quotaVerdict(demand: Readonly<Record<string, number>>, input: QuotaInput): QuotaVerdict {
  const types = Object.entries(demand)
    .filter(([, requested]) => requested > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  if (types.length === 0) return { outcome: 'runs_now', message: 'needs no GPUs' };
  const verdicts = types.map(([type, requested]) => gpuTypeVerdict(type, requested, input));
  const worst = verdicts.reduce((a, b) => (severity[b.outcome] > severity[a.outcome] ? b : a));
  const message =
    worst.outcome === 'runs_now'
      ? `within your quota: ${verdicts.map((v) => v.message).join('; ')}`
      : verdicts
          .filter((v) => v.outcome !== 'runs_now')
          .map((v) => v.message)
          .join('; ');
  return { outcome: worst.outcome, message };
}

function gpuTypeVerdict(type: string, requested: number, input: QuotaInput): QuotaVerdict {
  const { quota } = input;
  const own = ownValue(quota.gpus, type);
  const nominal = own?.nominal ?? 0;
  // A product the quota does not name has nominal 0 and may borrow all the cohort lends (docs/design.md#quotas).
  const borrowingLimit = quota.cohort ? (own ? own.borrowing_limit : null) : 0;
  const total = ownValue(input.inventory, type) ?? 0;
  const free = ownValue(input.free, type) ?? 0;
  const held = (quota.usage && ownValue(quota.usage.gpus, type))?.admitted ?? 0;
  const queuedAhead = (quota.usage && ownValue(quota.usage.gpus, type))?.queued ?? 0;
  const quotaCeiling = borrowingLimit === null ? Infinity : nominal + borrowingLimit;
  const terms =
    `nominal ${nominal}` +
    (quota.cohort ? `, borrowing limit ${borrowingLimit === null ? 'none' : borrowingLimit}` : ', outside the cohort');
  const needs = `needs ${requested} × ${type}`;

  if (requested > total) return { outcome: 'never_fits', message: `${needs} but the cluster has ${total} in all` };
  if (requested > quotaCeiling)
    return {
      outcome: 'never_fits',
      message: `${needs} but your quota allows at most ${quotaCeiling} (${terms})`,
    };

  const ahead = queuedAhead > 0 ? `; ${queuedAhead} of your GPUs of this type already wait in the queue` : '';
  const room = quotaCeiling - held;
  if (requested > room)
    return {
      outcome: 'queues',
      message: `${needs}: your work holds ${held} (${terms}), so it waits for ${requested - room} of yours to free up${ahead}`,
    };
  if (requested > free) {
    const withinNominal = held + requested <= nominal;
    return {
      outcome: 'queues',
      message:
        `${needs} but ${free} free: waits for ${requested - free} to free up` +
        (withinNominal ? ' (within your nominal quota: other tenants borrowing it are preempted to give it back)' : '') +
        ahead,
    };
  }
  const borrowed = Math.max(0, held + requested - Math.max(nominal, held));
  return {
    outcome: 'runs_now',
    message: `${requested} × ${type}${borrowed > 0 ? `, ${borrowed} of them borrowed beyond your nominal ${nominal}` : ''}`,
  };
}

/** The capacity verdict with its quota part; unchanged when budcluster reported no quota (an older budcluster). */
export function withQuotaVerdict(
  capacity: CapacityVerdict,
  input: Omit<QuotaInput, 'quota'> & { quota: QuotaInput['quota'] | null },
): CapacityVerdict {
  if (!input.quota) return capacity;
  const demand = Object.fromEntries(capacity.gpus.map((g) => [g.gpu_type, g.requested]));
  return { ...capacity, quota: quotaVerdict(demand, { ...input, quota: input.quota }) };
}

/** A record's own entry: GPU type names come from templates, and `constructor` must not read Object.prototype's. */
function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
