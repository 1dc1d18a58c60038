import { useState } from 'react';
import { Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ComponentResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';

export default function ComponentsPage() {
  const components = useRequest(() => api.components(), []);
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string>();
  const items = (components.data?.items ?? []).filter(
    (c) =>
      (!category || c.category === category) &&
      (!search || `${c.id} ${c.name} ${c.description}`.toLowerCase().includes(search.toLowerCase())),
  );
  const categories = [...new Set((components.data?.items ?? []).map((c) => c.category))].sort();

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Component registry
      </Typography.Title>
      <Space wrap>
        <Input.Search
          aria-label="Search components"
          placeholder="Search"
          allowClear
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 280 }}
        />
        <Select
          aria-label="Category"
          placeholder="Category"
          allowClear
          style={{ width: 200 }}
          value={category}
          onChange={setCategory}
          options={categories.map((c) => ({ value: c, label: c }))}
        />
      </Space>
      {components.error ? <ErrorAlert error={components.error} title="Could not load the registry" /> : null}
      <Table<ComponentResponse>
        rowKey="id"
        loading={components.loading && !components.data}
        dataSource={items}
        pagination={false}
        expandable={{ expandedRowRender: (c) => <Typography.Paragraph style={{ margin: 0 }}>{c.description}</Typography.Paragraph> }}
        columns={[
          { title: 'Id', dataIndex: 'id', render: (id: string) => <code>{id}</code> },
          { title: 'Name', dataIndex: 'name' },
          { title: 'Category', dataIndex: 'category', render: (c: string) => <Tag>{c}</Tag> },
          { title: 'Kind', dataIndex: 'deployment_type' },
          {
            title: 'Source',
            key: 'source',
            render: (_: unknown, c) =>
              c.helm_chart ? `${c.helm_repo ?? ''} ${c.helm_chart}` : c.image ? `${c.image}:${c.image_tag ?? ''}` : (c.model_engine ?? '—'),
          },
          {
            title: 'GPUs',
            key: 'gpu',
            render: (_: unknown, c) => (c.default_gpu_count > 0 ? `${c.default_gpu_count} × ${c.default_gpu_type ?? ''}` : '—'),
          },
          { title: 'Outputs', dataIndex: 'outputs', render: (o: Record<string, string>) => Object.keys(o).join(', ') || '—' },
        ]}
      />
    </Space>
  );
}
