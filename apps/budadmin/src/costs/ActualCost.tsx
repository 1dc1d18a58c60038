import { useEffect, useState } from 'react';
import { Tooltip, Typography } from 'antd';
import type { DeploymentResponse } from '@bud/contracts';
import { MAX_USAGE_RANGE_DAYS } from '@bud/contracts';
import { api } from '../api/client';
import { describeError } from '../api/api-error';
import { useRequest } from '../api/use-request';
import { formatMoney } from './money';

const DAY_MS = 86_400_000;
/** The meter writes every few seconds, a minute at a time: reading again twice a minute keeps the figure current. */
const REFRESH_MS = 30_000;

/**
 * What the deployment has cost so far, from the ledger: every run of every job it ever had, across retries.
 * The usage API refuses ranges over a year, so an older deployment shows the last year (and says so).
 */
export function ActualCost({ deployment, refreshKey }: { deployment: DeploymentResponse; refreshKey?: unknown }) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const now = Date.now();
  const created = Date.parse(deployment.created_at);
  // Whole days, so the range (and the request) stays the same from one render to the next.
  const earliest = Math.floor(now / DAY_MS) * DAY_MS - (MAX_USAGE_RANGE_DAYS - 1) * DAY_MS;
  const from = new Date(Math.max(created, earliest) - (Math.max(created, earliest) % 60_000)).toISOString();
  const usage = useRequest(
    () => api.usage({ deployment_id: deployment.id, from, group_by: 'month' }),
    [deployment.id, from, refreshKey, tick],
  );
  if (usage.error)
    return (
      <Tooltip title={describeError(usage.error)}>
        <Typography.Text type="secondary">unavailable</Typography.Text>
      </Tooltip>
    );
  if (!usage.data) return <Typography.Text type="secondary">…</Typography.Text>;
  return (
    <span data-testid="actual-cost" data-cost={usage.data.total.cost}>
      {formatMoney(usage.data.total.cost)}
      <Typography.Text type="secondary">
        {' '}
        ({usage.data.total.gpu_hours} GPU-h{created < earliest ? ', last 12 months' : ''})
      </Typography.Text>
    </span>
  );
}
