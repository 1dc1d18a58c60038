import { Button, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { DeploymentComponentResponse } from '@bud/contracts';
import { StatusTag } from '../components/StatusTag';

/** Why a component is as it is: what it waits for, why it is unhealthy, or its last message. */
export function explain(c: DeploymentComponentResponse): string | undefined {
  if (c.blocked_by.length > 0) return `waiting for ${c.blocked_by.join(', ')}`;
  if (c.health === 'unhealthy' && c.health_message) return c.health_message;
  return c.message ?? undefined;
}

function urlsOf(c: DeploymentComponentResponse): string[] {
  return Object.values(c.outputs).filter((v): v is string => typeof v === 'string' && /^https?:\/\//.test(v));
}

interface Props {
  components: DeploymentComponentResponse[];
  canScale: (c: DeploymentComponentResponse) => boolean;
  canRetry: (c: DeploymentComponentResponse) => boolean;
  onScale: (componentId: string) => void;
  onRetry: (componentId: string) => void;
}

/** A deployment's components: status, health (with why), replicas, endpoints, cost, and Scale/Retry where offered. */
export function ComponentsTable({ components, canScale, canRetry, onScale, onRetry }: Props) {
  return (
    <Table<DeploymentComponentResponse>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={components}
      style={{ marginTop: 16 }}
      columns={[
        {
          title: 'Component',
          dataIndex: 'id',
          render: (cid: string, c) => (
            <span data-component={cid}>
              {cid} <Tag>{c.component_ref}</Tag>
            </span>
          ),
        },
        {
          title: 'Status',
          dataIndex: 'status',
          render: (s: string, c) => (
            <span data-component-status={c.id}>
              <StatusTag status={s} />
            </span>
          ),
        },
        {
          title: 'Health',
          dataIndex: 'health',
          render: (health: string | null, c) =>
            health ? (
              <span data-component-health={c.id}>
                <Tooltip title={c.health_message ?? undefined}>
                  <StatusTag status={health} />
                </Tooltip>
              </span>
            ) : (
              '—'
            ),
        },
        { title: 'Replicas', dataIndex: 'replicas', align: 'right', render: (r: number | null) => r ?? '—' },
        { title: 'Why', key: 'why', render: (_: unknown, c) => explain(c) ?? '—' },
        {
          title: 'Endpoints',
          key: 'urls',
          render: (_: unknown, c) =>
            urlsOf(c).map((u) => (
              <div key={u}>
                <Typography.Text copyable>{u}</Typography.Text>
              </div>
            )),
        },
        { title: '$/hour', dataIndex: 'estimated_cost_per_hour', align: 'right' },
        {
          title: '',
          key: 'actions',
          render: (_: unknown, c) => (
            <Space>
              {canScale(c) ? (
                <Button size="small" data-scale={c.id} onClick={() => onScale(c.id)}>
                  Scale
                </Button>
              ) : null}
              {canRetry(c) ? (
                <Popconfirm title={`Retry ${c.id}?`} onConfirm={() => onRetry(c.id)}>
                  <Button size="small">Retry</Button>
                </Popconfirm>
              ) : null}
            </Space>
          ),
        },
      ]}
    />
  );
}
