import { useState } from 'react';
import { App as AntApp, Button, Descriptions, Space, Spin, Table, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { TemplateResponse } from '@bud/contracts';
import { api } from '../api/client';
import { describeError } from '../api/api-error';
import { useRequest } from '../api/use-request';
import { DagView } from '../components/DagView';
import { ErrorAlert } from '../components/ErrorAlert';
import { displayValue } from '../forms/display-value';
import type { DagNode } from '../dag/dag-layout';

/** Waves of a template's components before any parameter is known: depends_on only. */
export function templateDag(template: TemplateResponse): DagNode[] {
  const byId = new Map(template.components.map((c) => [c.id, c]));
  const wave = new Map<string, number>();
  const waveOf = (id: string, seen: Set<string> = new Set()): number => {
    if (wave.has(id)) return wave.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const deps = byId.get(id)?.depends_on ?? [];
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => waveOf(d, seen)));
    wave.set(id, value);
    return value;
  };
  return template.components.map((c) => ({
    id: c.id,
    label: c.component_ref,
    wave: waveOf(c.id),
    dependsOn: c.depends_on.filter((d) => byId.has(d)),
  }));
}

export default function TemplateDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const template = useRequest(() => api.template(id), [id]);
  const [forking, setForking] = useState(false);

  if (template.error) return <ErrorAlert error={template.error} title={`Could not load template ${id}`} />;
  if (!template.data) return <Spin />;
  const t = template.data;

  const fork = async () => {
    setForking(true);
    try {
      const copy = await api.forkTemplate(t.id);
      void message.success(`Forked as ${copy.id}`);
      void navigate(`/usecases/${copy.id}/edit`);
    } catch (error) {
      void message.error(describeError(error));
    } finally {
      setForking(false);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space align="center" wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t.name} <Tag>{t.category}</Tag>
        </Typography.Title>
        <Space>
          {t.is_system ? null : <Link to={`/usecases/${t.id}/edit`}>Edit</Link>}
          <Button onClick={() => void fork()} loading={forking}>
            Fork
          </Button>
          <Button type="primary" onClick={() => void navigate(`/usecases/deploy/${t.id}`)}>
            Deploy
          </Button>
        </Space>
      </Space>
      <Typography.Paragraph>{t.description}</Typography.Paragraph>
      <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
        <Descriptions.Item label="Id">{t.id}</Descriptions.Item>
        <Descriptions.Item label="Version">{t.version}</Descriptions.Item>
        <Descriptions.Item label="Complexity">{t.complexity}</Descriptions.Item>
        <Descriptions.Item label="Source">
          {t.is_system ? `system (${t.source_file ?? 'templates/'})` : t.forked_from ? `fork of ${t.forked_from}` : 'user template'}
        </Descriptions.Item>
        <Descriptions.Item label="Tags">{t.tags.join(', ') || '—'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={4}>Components</Typography.Title>
      <DagView nodes={templateDag(t)} />
      <Typography.Title level={4}>Parameters</Typography.Title>
      <Table
        rowKey="name"
        size="small"
        pagination={false}
        dataSource={t.parameters}
        columns={[
          { title: 'Name', dataIndex: 'name', render: (name: string) => <code>{name}</code> },
          { title: 'Type', dataIndex: 'type' },
          { title: 'Required', dataIndex: 'required', render: (required: boolean) => (required ? 'yes' : 'no') },
          { title: 'Default', dataIndex: 'default', render: (value: unknown) => displayValue(value) },
          {
            title: 'Constraints',
            key: 'constraints',
            render: (_: unknown, p: TemplateResponse['parameters'][number]) =>
              [
                p.options ? `one of ${p.options.join(', ')}` : null,
                p.min !== undefined ? `min ${p.min}` : null,
                p.max !== undefined ? `max ${p.max}` : null,
                p.pattern ? `pattern ${p.pattern}` : null,
              ]
                .filter(Boolean)
                .join('; ') || '—',
          },
          { title: 'Description', dataIndex: 'description' },
        ]}
      />
    </Space>
  );
}
