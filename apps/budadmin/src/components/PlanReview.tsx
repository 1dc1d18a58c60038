import { Alert, Descriptions, Table, Tag } from 'antd';
import type { DeploymentPlan, PlannedComponent } from '@bud/contracts';
import { BudgetVerdictAlert } from './BudgetVerdictAlert';
import { ContractChecks } from './ContractChecks';
import { QuotaVerdictAlert } from './QuotaVerdictAlert';
import { DagView } from './DagView';

const gpuText = (gpu: PlannedComponent['gpu']) => (gpu.count === 0 ? '—' : `${gpu.count} × ${gpu.type ?? 'any'}`);

/** The dry-run plan: waves, each component's GPUs and $/hour, the total, the capacity, budget and contract checks. */
export function PlanReview({ plan }: { plan: DeploymentPlan }) {
  const rows = plan.waves.flatMap((w) => w.components);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <Alert
        type={plan.capacity.admits ? 'success' : 'warning'}
        showIcon
        data-testid="capacity-verdict"
        message={
          plan.capacity.admits
            ? 'The cluster has capacity for this deployment'
            : 'The cluster lacks capacity: components will wait in the queue'
        }
        description={plan.capacity.message}
      />
      <QuotaVerdictAlert capacity={plan.capacity} />
      <BudgetVerdictAlert verdict={plan.budget} />
      <ContractChecks plan={plan} />
      <DagView
        nodes={rows.map((c) => ({ id: c.id, label: c.component_ref, wave: c.wave, dependsOn: c.depends_on }))}
        ariaLabel="planned component graph"
      />
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: 'Wave', dataIndex: 'wave' },
          {
            title: 'Component',
            dataIndex: 'id',
            render: (id: string, c: PlannedComponent) => (
              <span>
                {id} <Tag>{c.component_ref}</Tag>
              </span>
            ),
          },
          { title: 'GPUs', key: 'gpu', render: (_: unknown, c: PlannedComponent) => gpuText(c.gpu) },
          { title: '$/hour', dataIndex: 'estimated_cost_per_hour', align: 'right' },
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={2}>
              <strong>Total ({plan.total.components} components)</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={2}>
              {Object.entries(plan.total.gpus)
                .map(([type, n]) => `${n} × ${type}`)
                .join(', ') || '—'}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={3} align="right">
              <strong data-testid="total-cost">{plan.total.estimated_cost_per_hour}</strong>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
      {plan.skipped.length > 0 ? (
        <Descriptions size="small" title="Skipped by conditions" column={1}>
          {plan.skipped.map((s) => (
            <Descriptions.Item key={s.id} label={s.id}>
              {s.reason}
            </Descriptions.Item>
          ))}
        </Descriptions>
      ) : null}
    </div>
  );
}
