import type { HTMLAttributes } from 'react';
import { Spin, Table, Tag } from 'antd';
import type { JobResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';

/** The caller's jobs on a cluster: where a waiting one stands in its queue, and the flavor an admitted one got. */
export function ClusterJobs({ clusterId }: { clusterId: string }) {
  const jobs = useRequest(() => api.clusterJobs(clusterId), [clusterId]);
  if (jobs.error) return <ErrorAlert error={jobs.error} title="Could not load the jobs" />;
  if (!jobs.data) return <Spin />;
  return (
    <Table<JobResponse>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={jobs.data.items}
      locale={{ emptyText: 'No job on this cluster' }}
      onRow={(j) => ({ 'data-job': j.name }) as HTMLAttributes<HTMLElement>}
      columns={[
        { title: 'Job', dataIndex: 'name' },
        { title: 'Status', render: (_, j) => <StatusTag status={j.status} /> },
        {
          title: 'Queue',
          render: (_, j) =>
            j.queue_position !== null ? (
              <span data-testid="queue-position" title={j.status_message ?? undefined}>{`#${j.queue_position}`}</span>
            ) : (
              '—'
            ),
        },
        { title: 'Flavor', render: (_, j) => (j.admitted_flavor ? <Tag data-testid="admitted-flavor">{j.admitted_flavor}</Tag> : '—') },
        {
          title: 'GPUs',
          render: (_, j) =>
            j.resources.gpu_count ? `${j.resources.gpu_count * Math.max(j.resources.replicas, 1)} × ${j.resources.gpu_type}` : '—',
        },
      ]}
    />
  );
}
