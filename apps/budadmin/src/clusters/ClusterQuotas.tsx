import type { HTMLAttributes } from 'react';
import { Empty, Spin, Table, Typography } from 'antd';
import type { QuotaResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';

/** `4 + 2` (may borrow 2 more), `4 + any` (all the cohort lends), `4` outside the cohort. */
const limit = (nominal: string | number, borrowing: string | number | null, cohort: boolean) =>
  cohort ? `${nominal} + ${borrowing === null ? 'any' : borrowing}` : String(nominal);

function gpuLines(q: QuotaResponse): string[] {
  const products = [...new Set([...Object.keys(q.gpus), ...Object.keys(q.usage?.gpus ?? {})])].sort();
  return products.map((p) => {
    const quota = q.gpus[p];
    const use = q.usage?.gpus[p];
    const held = use
      ? ` · ${use.admitted} in use${use.borrowed ? ` (${use.borrowed} borrowed)` : ''}${use.queued ? ` · ${use.queued} queued` : ''}`
      : '';
    return `${p}: ${quota ? limit(quota.nominal, quota.borrowing_limit, q.cohort) : limit(0, null, q.cohort)}${held}`;
  });
}

/**
 * The cluster's quotas with their usage (docs/design.md#quotas): every tenant's for a platform admin, the caller's own
 * effective quota otherwise; budcluster decides which. Absent on a budcluster without quotas.
 */
export function ClusterQuotas({ clusterId }: { clusterId: string }) {
  const quotas = useRequest(() => api.quotas(clusterId), [clusterId]);
  if (quotas.error) return <ErrorAlert error={quotas.error} title="Could not load the quotas" />;
  if (!quotas.data) return <Spin />;
  if (quotas.data.length === 0) return <Empty description="No quota on this cluster" />;
  return (
    <Table<QuotaResponse>
      rowKey={(q) => q.tenant_id ?? 'default'}
      size="small"
      pagination={false}
      dataSource={quotas.data}
      onRow={(q) => ({ 'data-quota-tenant': q.tenant_id ?? 'default' }) as HTMLAttributes<HTMLElement>}
      columns={[
        {
          title: 'Tenant',
          render: (_, q) => q.tenant_id ?? <Typography.Text type="secondary">default (tenants without their own quota)</Typography.Text>,
        },
        { title: 'Source', dataIndex: 'source' },
        {
          title: 'GPUs: nominal + borrowing limit · usage',
          render: (_, q) => gpuLines(q).map((line) => <div key={line}>{line}</div>),
        },
        {
          title: 'CPU / memory',
          render: (_, q) =>
            [
              q.cpu ? `cpu ${limit(q.cpu.nominal, q.cpu.borrowing_limit, q.cohort)}` : '',
              q.memory ? `memory ${limit(q.memory.nominal, q.memory.borrowing_limit, q.cohort)}` : '',
            ]
              .filter(Boolean)
              .join(' · ') || 'not limited',
        },
        { title: 'Weight', dataIndex: 'weight' },
        { title: 'Cohort', render: (_, q) => (q.cohort ? 'lends and borrows' : 'outside') },
      ]}
    />
  );
}
