import type { CapacityVerdict } from '@bud/contracts';

const OUTCOMES = { runs_now: 'runs now', queues: 'queues', never_fits: 'NEVER fits' } as const;

/** The capacity verdict's quota part as a field (docs/design.md#quotas); none when the cluster reported no quota. */
export function quotaField(capacity: CapacityVerdict): Array<[string, string]> {
  return capacity.quota ? [['Quota', `${OUTCOMES[capacity.quota.outcome]}: ${capacity.quota.message}`]] : [];
}
