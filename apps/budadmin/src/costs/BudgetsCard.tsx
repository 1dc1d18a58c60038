import { useState } from 'react';
import { App as AntApp, Button, Card, Form, Input, Popconfirm, Progress, Select, Space, Table, Tag } from 'antd';
import type { BudgetAction, BudgetResponse, PutBudgetRequest } from '@bud/contracts';
import { budgetActions } from '@bud/contracts';
import { api } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { ACTION_TEXT, budgetScope } from './budget-text';
import { formatMoney } from './money';

interface BudgetForm {
  project_id?: string;
  monthly_amount: string;
  thresholds: string;
  action: BudgetAction;
}

/** "80, 100" → [80, 100]; the API checks the range and repeats and names the field. */
export function parseThresholds(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (/^\d+$/.test(t) ? Number(t) : Number.NaN));
}

/** The tenant's budgets with this month's burn, and a form to set one (PUT upserts by scope). */
export function BudgetsCard({ budgets, onChanged }: { budgets: BudgetResponse[]; onChanged: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<BudgetForm>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);

  const save = async (values: BudgetForm) => {
    setSaving(true);
    setError(undefined);
    try {
      const body: PutBudgetRequest = {
        project_id: values.project_id?.trim() ? values.project_id.trim() : null,
        monthly_amount: values.monthly_amount.trim(),
        thresholds: parseThresholds(values.thresholds),
        action: values.action,
      };
      const saved = await api.putBudget(body);
      void message.success(`Saved the ${budgetScope(saved)} budget: ${formatMoney(saved.monthly_amount)} a month`);
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (budget: BudgetResponse) => {
    try {
      await api.deleteBudget(budget.id);
      void message.success(`Deleted the ${budgetScope(budget)} budget`);
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Card title="Budgets" data-testid="budgets-card">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Table<BudgetResponse>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={budgets}
          locale={{ emptyText: 'No budget yet: set one below.' }}
          onRow={(b) => ({ 'data-budget': b.project_id ?? 'tenant' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: 'Scope', key: 'scope', render: (_: unknown, b) => budgetScope(b) },
            { title: 'Monthly', key: 'amount', align: 'right', render: (_: unknown, b) => formatMoney(b.monthly_amount) },
            {
              title: `Spent (${budgets[0]?.period ?? 'this month'})`,
              key: 'spent',
              align: 'right',
              render: (_: unknown, b) => formatMoney(b.spent),
            },
            { title: 'Remaining', key: 'remaining', align: 'right', render: (_: unknown, b) => formatMoney(b.remaining) },
            {
              title: 'Projected month end',
              key: 'projected',
              align: 'right',
              render: (_: unknown, b) => <span data-testid="projected">{formatMoney(b.projected_month_end)}</span>,
            },
            {
              title: 'Used',
              key: 'used',
              width: 160,
              render: (_: unknown, b) => (
                <Progress
                  percent={Math.min(100, Math.floor(b.used_ratio * 100))}
                  format={() => `${Math.floor(b.used_ratio * 100)}%`}
                  status={b.used_ratio >= 1 ? 'exception' : 'normal'}
                  size="small"
                />
              ),
            },
            {
              title: 'Thresholds',
              key: 'thresholds',
              render: (_: unknown, b) =>
                b.thresholds.map((t) => (
                  <Tag key={t} color={b.crossed.includes(t) ? (t >= 100 ? 'red' : 'orange') : undefined}>
                    {t}%
                  </Tag>
                )),
            },
            { title: 'At 100%', key: 'action', render: (_: unknown, b) => ACTION_TEXT[b.action] },
            {
              title: '',
              key: 'delete',
              render: (_: unknown, b) => (
                <Popconfirm title={`Delete the ${budgetScope(b)} budget?`} onConfirm={() => void remove(b)}>
                  <Button size="small" danger>
                    Delete
                  </Button>
                </Popconfirm>
              ),
            },
          ]}
        />
        {error ? <ErrorAlert error={error} title="The budget was not saved" /> : null}
        <Form<BudgetForm>
          form={form}
          layout="inline"
          aria-label="set a budget"
          initialValues={{ thresholds: '80, 100', action: 'notify' }}
          onFinish={(values) => void save(values)}
        >
          <Form.Item name="project_id" label="Project" tooltip="empty: the whole tenant">
            <Input id="budget-project" placeholder="project id (optional)" style={{ width: 300 }} />
          </Form.Item>
          <Form.Item name="monthly_amount" label="Monthly $" rules={[{ required: true, message: 'an amount in USD' }]}>
            <Input id="budget-amount" placeholder="1000" style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="thresholds" label="Thresholds %">
            <Input id="budget-thresholds" style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="action" label="At 100%">
            <Select id="budget-action" style={{ width: 170 }} options={budgetActions.map((a) => ({ value: a, label: ACTION_TEXT[a] }))} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={saving}>
              Set budget
            </Button>
          </Form.Item>
        </Form>
      </Space>
    </Card>
  );
}
