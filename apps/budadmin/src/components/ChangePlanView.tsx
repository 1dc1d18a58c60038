import type { HTMLAttributes } from 'react';
import { Alert, Descriptions, Table, Tag, Typography } from 'antd';
import type { ChangePlan, ComponentChange, ComponentChangePlan, FieldChange, VolumeAtRisk } from '@bud/contracts';
import { QuotaVerdictAlert } from './QuotaVerdictAlert';
import { displayValue } from '../forms/display-value';

const CHANGE_COLORS: Record<ComponentChange, string> = {
  unchanged: 'default',
  scale: 'cyan',
  rolling: 'blue',
  add: 'green',
  remove: 'red',
};

const gpusText = (gpus: Record<string, number>) =>
  Object.entries(gpus)
    .map(([type, n]) => `${n} × ${type}`)
    .join(', ') || 'none';

const costText = (before: string, after: string) => (before === after ? before : `${before} → ${after}`);

function FieldChanges({ fields }: { fields: FieldChange[] }) {
  if (fields.length === 0) return <>—</>;
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }}>
      {fields.map((f) => (
        <li key={f.path} data-field={f.path}>
          <code>{f.path}</code>: <Typography.Text delete>{displayValue(f.from)}</Typography.Text> →{' '}
          <Typography.Text strong>{displayValue(f.to)}</Typography.Text>
        </li>
      ))}
    </ul>
  );
}

/**
 * A change preview (docs/design.md#change-preview), the same for update, scale, upgrade, stop and
 * delete: per component what changes and which job fields, the dependents that restart, cost and GPUs
 * before and after, the capacity verdict and the volumes that would be destroyed.
 */
export function ChangePlanView({ plan }: { plan: ChangePlan }) {
  const changed = plan.components.filter((c) => c.change !== 'unchanged').length;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }} data-testid="change-plan" data-action={plan.action}>
      <Alert
        type={plan.capacity.admits ? 'success' : 'warning'}
        showIcon
        data-testid="change-capacity"
        title={plan.capacity.admits ? 'The cluster has capacity for this change' : 'The cluster lacks capacity: new pods will wait'}
        description={plan.capacity.message}
      />
      <QuotaVerdictAlert capacity={plan.capacity} />
      <Typography.Text strong>{`${changed} of ${plan.components.length} components change`}</Typography.Text>
      <Table<ComponentChangePlan>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={plan.components}
        onRow={(c) => ({ 'data-change-component': c.id, 'data-change': c.change }) as HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: 'Component',
            dataIndex: 'id',
            render: (id: string, c) => (
              <span>
                {id} <Tag>{c.component_ref}</Tag>
              </span>
            ),
          },
          { title: 'Change', dataIndex: 'change', render: (change: ComponentChange) => <Tag color={CHANGE_COLORS[change]}>{change}</Tag> },
          { title: 'Fields', key: 'fields', render: (_: unknown, c) => <FieldChanges fields={c.fields} /> },
          {
            title: '$/hour',
            key: 'cost',
            align: 'right',
            render: (_: unknown, c) => costText(c.estimated_cost_per_hour_before, c.estimated_cost_per_hour_after),
          },
        ]}
      />
      <Descriptions size="small" bordered column={1}>
        <Descriptions.Item label="Template version">
          {costText(plan.template_version_before, plan.template_version_after)}
        </Descriptions.Item>
        <Descriptions.Item label="Blast radius">
          <span data-testid="blast-radius">
            {plan.blast_radius.length === 0
              ? 'No dependent restarts'
              : plan.blast_radius.map((r) => (
                  <div key={r.component}>
                    <strong>{r.component}</strong> restarts because <code>{`${r.because_of.component}.${r.because_of.output}`}</code>{' '}
                    changes
                  </div>
                ))}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label="$/hour">
          <span data-testid="change-cost">
            {plan.cost.before_per_hour} → {plan.cost.after_per_hour} (
            <span data-testid="change-cost-difference">
              {plan.cost.difference_per_hour.startsWith('-') ? '' : '+'}
              {plan.cost.difference_per_hour}
            </span>
            )
          </span>
        </Descriptions.Item>
        <Descriptions.Item label="GPUs">
          {gpusText(plan.cost.gpus_before)} → {gpusText(plan.cost.gpus_after)}
        </Descriptions.Item>
      </Descriptions>
      <DataAtRisk volumes={plan.data_at_risk} />
    </div>
  );
}

function DataAtRisk({ volumes }: { volumes: VolumeAtRisk[] }) {
  if (volumes.length === 0)
    return <Alert type="info" showIcon data-testid="data-at-risk" data-volumes="0" title="No data at risk: no volume is destroyed" />;
  return (
    <Alert
      type="error"
      showIcon
      data-testid="data-at-risk"
      data-volumes={volumes.length}
      title={`${volumes.length} volume${volumes.length === 1 ? '' : 's'} will be destroyed with the data on them`}
      description={
        <Table<VolumeAtRisk>
          rowKey="claim_name"
          size="small"
          pagination={false}
          dataSource={volumes}
          columns={[
            { title: 'Component', dataIndex: 'component' },
            { title: 'Volume', dataIndex: 'volume' },
            { title: 'Claim', dataIndex: 'claim_name' },
            { title: 'Size', dataIndex: 'size' },
            { title: '$/month', dataIndex: 'estimated_cost_per_month', align: 'right' },
          ]}
        />
      }
    />
  );
}
