import type { HTMLAttributes } from 'react';
import { useState } from 'react';
import { Button, Space, Spin, Table, Tag, Typography } from 'antd';
import type { JobResponse, Page } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';

/** "1,234 jobs", "10,000+ jobs", "about 1.2M jobs": what the list's total is, as the answer says (total_kind). */
export function jobsTotalText(answer: Pick<Page<unknown>, 'total' | 'total_kind' | 'total_capped'>): string {
  const count = answer.total.toLocaleString('en-US');
  if (answer.total_kind === 'estimate') return `about ${count} jobs`;
  return `${count}${answer.total_capped ? '+' : ''} ${answer.total === 1 ? 'job' : 'jobs'}`;
}

/** The caller's jobs on a cluster: where a waiting one stands in its queue, and the flavor an admitted one got. */
export function ClusterJobs({ clusterId }: { clusterId: string }) {
  // The cursors of the pages walked to, newest page first: "Older" pushes the answer's next_cursor, "Newer" pops it.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const jobs = useRequest(() => api.clusterJobs(clusterId, cursor), [clusterId, cursor]);
  if (jobs.error) return <ErrorAlert error={jobs.error} title="Could not load the jobs" />;
  if (!jobs.data) return <Spin />;
  const next = jobs.data.next_cursor;
  return (
    <>
      <Table<JobResponse>
        rowKey="id"
        size="small"
        pagination={false}
        loading={jobs.loading}
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
      {(cursors.length > 0 || next) && (
        <Space style={{ marginTop: 8 }}>
          <Button size="small" data-testid="jobs-newer" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer
          </Button>
          <Button size="small" data-testid="jobs-older" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
            Older
          </Button>
          <Typography.Text type="secondary" data-testid="jobs-total">
            {jobsTotalText(jobs.data)}
          </Typography.Text>
        </Space>
      )}
    </>
  );
}
