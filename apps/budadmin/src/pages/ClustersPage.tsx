import { useState } from 'react';
import { Card, Empty, List, Segmented, Space, Spin, Tag, Typography } from 'antd';
import type { ClusterResponse, ScheduleResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ClusterJobs } from '../clusters/ClusterJobs';
import { ClusterQuotas } from '../clusters/ClusterQuotas';
import { ErrorAlert } from '../components/ErrorAlert';
import { statusColor } from '../components/StatusTag';

const BAR_COLORS: Record<string, string> = {
  green: '#52c41a',
  blue: '#1677ff',
  gold: '#faad14',
  orange: '#fa8c16',
  red: '#ff4d4f',
  default: '#bfbfbf',
};

/** The schedule as bars on one time axis: where each job ran or is expected to run. */
function ScheduleTimeline({ schedule }: { schedule: ScheduleResponse }) {
  const start = Date.parse(schedule.start);
  const span = Math.max(1, Date.parse(schedule.end) - start);
  if (schedule.jobs.length === 0) return <Empty description="No job in this window" />;
  return (
    <div role="list" aria-label="job timeline">
      {schedule.jobs.map((job) => {
        const left = ((Date.parse(job.start) - start) / span) * 100;
        const width = Math.max(0.5, ((Date.parse(job.end) - Date.parse(job.start)) / span) * 100);
        return (
          <div role="listitem" key={job.job_id} style={{ display: 'flex', alignItems: 'center', gap: 8, margin: '4px 0' }}>
            <div style={{ width: 220, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={job.name}>
              {job.name}
            </div>
            <div style={{ position: 'relative', flex: 1, height: 18, background: '#fafafa' }}>
              <div
                title={`${job.status}${job.gpu_count ? ` · ${job.gpu_count} × ${job.gpu_type ?? 'gpu'}` : ''}${job.end_is_estimate ? ' · end estimated' : ''}`}
                style={{
                  position: 'absolute',
                  left: `${Math.max(0, left)}%`,
                  width: `${Math.min(100, width)}%`,
                  height: '100%',
                  borderRadius: 3,
                  opacity: job.end_is_estimate ? 0.6 : 1,
                  background: BAR_COLORS[statusColor(job.status)],
                }}
              />
            </div>
            <Tag color={statusColor(job.status)}>{job.status}</Tag>
            {job.queue_position !== null || job.estimated_start !== null ? (
              <Typography.Text type="secondary" data-testid="queued-entry" style={{ whiteSpace: 'nowrap' }}>
                {[
                  job.queue_position !== null ? `#${job.queue_position} in queue` : '',
                  job.estimated_start ? `starts ~${new Date(job.estimated_start).toLocaleTimeString()}` : 'start unknown',
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography.Text>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

const WINDOWS = [
  { label: 'last hour', hours: 1 },
  { label: 'last 6 hours', hours: 6 },
  { label: 'last day', hours: 24 },
];

function ClusterSchedule({ cluster }: { cluster: ClusterResponse }) {
  const [hours, setHours] = useState(1);
  // The window reaches an hour ahead so queued work and estimated ends show too.
  const schedule = useRequest(
    () => api.schedule(cluster.id, new Date(Date.now() - hours * 3_600_000), new Date(Date.now() + 3_600_000)),
    [cluster.id, hours],
  );
  if (schedule.error) return <ErrorAlert error={schedule.error} title="Could not load the schedule" />;
  if (!schedule.data) return <Spin />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Segmented value={hours} onChange={(value) => setHours(value)} options={WINDOWS.map((w) => ({ label: w.label, value: w.hours }))} />
      <Typography.Text type="secondary">
        {new Date(schedule.data.start).toLocaleString()} → {new Date(schedule.data.end).toLocaleString()} ·{' '}
        {Object.entries(schedule.data.gpus)
          .map(([type, g]) => `${type}: ${g.used}/${g.total} used, ${g.queued} queued`)
          .join(' · ') || 'no GPUs'}
      </Typography.Text>
      <ScheduleTimeline schedule={schedule.data} />
    </Space>
  );
}

export default function ClustersPage() {
  const clusters = useRequest(() => api.clusters(), []);
  const [selected, setSelected] = useState<string>();
  if (clusters.error) return <ErrorAlert error={clusters.error} title="Could not load clusters" />;
  if (!clusters.data) return <Spin />;
  const current = clusters.data.items.find((c) => c.id === selected) ?? clusters.data.items[0];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Clusters
      </Typography.Title>
      <List
        bordered
        dataSource={clusters.data.items}
        locale={{ emptyText: 'No cluster registered' }}
        renderItem={(c) => (
          <List.Item
            onClick={() => setSelected(c.id)}
            style={{ cursor: 'pointer', background: c.id === current?.id ? '#e6f4ff' : undefined }}
            data-cluster={c.name}
          >
            <Space wrap>
              <strong>{c.name}</strong>
              {c.simulated ? <Tag color="purple">simulated</Tag> : <Tag color="geekblue">kubernetes</Tag>}
              <Tag color={statusColor(c.status)}>{c.status}</Tag>
              <Typography.Text type="secondary">
                {Object.entries(c.gpu_inventory)
                  .map(([type, total]) => `${total} × ${type}`)
                  .join(', ') || 'no GPUs'}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {current ? (
        <>
          <Card title={`Jobs on ${current.name}`}>
            <ClusterSchedule cluster={current} />
            <ClusterJobs clusterId={current.id} />
          </Card>
          <Card title={`Quotas on ${current.name}`} data-testid="cluster-quotas">
            <ClusterQuotas clusterId={current.id} />
          </Card>
        </>
      ) : null}
    </Space>
  );
}
