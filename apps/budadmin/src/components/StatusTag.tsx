import { Tag } from 'antd';

const COLORS: Record<string, string> = {
  running: 'green',
  succeeded: 'green',
  healthy: 'green',
  ready: 'green',
  deploying: 'blue',
  updating: 'blue',
  progressing: 'blue',
  admitted: 'blue',
  pending: 'default',
  queued: 'gold',
  degraded: 'orange',
  stopping: 'orange',
  deleting: 'orange',
  stopped: 'default',
  skipped: 'default',
  cancelled: 'default',
  failed: 'red',
  unhealthy: 'red',
  unreachable: 'red',
};

export function statusColor(status: string): string {
  return COLORS[status] ?? 'default';
}

export function StatusTag({ status }: { status: string }) {
  return (
    <Tag color={statusColor(status)} data-status={status}>
      {status}
    </Tag>
  );
}
