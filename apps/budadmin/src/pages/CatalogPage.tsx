import { useEffect, useMemo, useState } from 'react';
import { Card, Col, Empty, Input, Row, Select, Space, Spin, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { gpuDemand } from '../forms/gpu-demand';

const CATEGORIES = ['rag', 'chatbot', 'agent'];

export function CatalogPage() {
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState<string>();
  const [tag, setTag] = useState<string>();
  const templates = useRequest(() => api.templates({ q: search || undefined, category, tag }), [search, category, tag]);
  const components = useRequest(() => api.components(), []);
  const registry = useMemo(() => new Map((components.data?.items ?? []).map((c) => [c.id, c])), [components.data]);
  const allTags = useMemo(() => [...new Set((templates.data?.items ?? []).flatMap((t) => t.tags))].sort(), [templates.data]);
  useEffect(() => {
    document.title = 'Use cases · Bud Foundry';
  }, []);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Use cases
      </Typography.Title>
      <Space wrap>
        <Input.Search
          aria-label="Search templates"
          placeholder="Search by name or description"
          allowClear
          onSearch={setSearch}
          style={{ width: 320 }}
        />
        <Select
          aria-label="Category"
          placeholder="Category"
          allowClear
          style={{ width: 160 }}
          value={category}
          onChange={setCategory}
          options={CATEGORIES.map((c) => ({ value: c, label: c }))}
        />
        <Select
          aria-label="Tag"
          placeholder="Tag"
          allowClear
          style={{ width: 180 }}
          value={tag}
          onChange={setTag}
          options={allTags.map((t) => ({ value: t, label: t }))}
        />
      </Space>
      {templates.error ? <ErrorAlert error={templates.error} title="Could not load the catalog" /> : null}
      {templates.loading && !templates.data ? <Spin /> : null}
      {templates.data && templates.data.items.length === 0 ? <Empty description="No template matches these filters" /> : null}
      <Row gutter={[16, 16]}>
        {(templates.data?.items ?? []).map((template) => (
          <Col key={template.id} xs={24} md={12} xl={8}>
            <Link to={`/usecases/${template.id}`} data-template={template.id}>
              <Card hoverable title={template.name} extra={<Tag>{template.category}</Tag>} style={{ height: '100%' }}>
                <Typography.Paragraph ellipsis={{ rows: 2 }}>{template.description}</Typography.Paragraph>
                <Space size={[4, 4]} wrap style={{ marginBottom: 8 }}>
                  {template.components.map((c) => (
                    <Tag key={c.id} color="blue">
                      {c.component_ref}
                    </Tag>
                  ))}
                </Space>
                <div>
                  <Typography.Text type="secondary">
                    {template.complexity} · {gpuDemand(template, registry)} · v{template.version}
                    {template.is_system ? '' : ' · yours'}
                  </Typography.Text>
                </div>
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </Space>
  );
}
