import { useEffect, useState } from 'react';
import { Select, Space, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { deploymentStatuses } from '@bud/contracts';
import type { DeploymentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusTag } from '../components/StatusTag';

const PAGE_SIZE = 20;

export default function DeploymentsPage() {
  const [status, setStatus] = useState<string>();
  const [page, setPage] = useState(1);
  const deployments = useRequest(() => api.deployments({ status, page, page_size: PAGE_SIZE }), [status, page]);
  // Statuses move on their own: refresh while the page is open.
  useEffect(() => {
    const timer = setInterval(deployments.reload, 3000);
    return () => clearInterval(timer);
  });

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Deployments
      </Typography.Title>
      <Select
        aria-label="Status"
        placeholder="Any status"
        allowClear
        style={{ width: 200 }}
        value={status}
        onChange={(value?: string) => {
          setStatus(value);
          setPage(1);
        }}
        options={deploymentStatuses.map((s) => ({ value: s, label: s }))}
      />
      {deployments.error ? <ErrorAlert error={deployments.error} title="Could not load deployments" /> : null}
      <Table<DeploymentResponse>
        rowKey="id"
        loading={deployments.loading && !deployments.data}
        dataSource={deployments.data?.items ?? []}
        locale={{ emptyText: status ? `No ${status} deployment` : 'Nothing deployed yet — pick a use case in the catalog' }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: deployments.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: 'Name', dataIndex: 'name', render: (name: string, d) => <Link to={`/deployments/${d.id}`}>{name}</Link> },
          { title: 'Status', dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: 'Template', dataIndex: 'template_id', render: (t: string, d) => `${t} v${d.template_version}` },
          { title: '$/hour', dataIndex: 'estimated_cost_per_hour', align: 'right' },
          { title: 'Run', dataIndex: 'run' },
          { title: 'Created', dataIndex: 'created_at', render: (at: string) => new Date(at).toLocaleString() },
        ]}
      />
    </Space>
  );
}
