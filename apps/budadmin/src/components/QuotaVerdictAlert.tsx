import { Alert } from 'antd';
import type { CapacityVerdict } from '@bud/contracts';

const TITLES = {
  runs_now: { type: 'success', title: 'Fits your quota: it runs now' },
  queues: { type: 'warning', title: 'Fits your quota, but waits in the queue' },
  never_fits: { type: 'error', title: 'Can never run under your quota' },
} as const;

/** The capacity verdict's quota part (docs/design.md#quotas); nothing when the cluster reported no quota. */
export function QuotaVerdictAlert({ capacity }: { capacity: CapacityVerdict }) {
  if (!capacity.quota) return null;
  const { type, title } = TITLES[capacity.quota.outcome];
  return (
    <Alert
      type={type}
      showIcon
      data-testid="quota-verdict"
      data-outcome={capacity.quota.outcome}
      message={title}
      description={capacity.quota.message}
    />
  );
}
