import { lazy, Suspense, useMemo, useState } from 'react';
import { Card, Col, Empty, Row, Segmented, Select, Space, Spin, Statistic, Typography } from 'antd';
import type { BudgetResponse, UsageResponse } from '@bud/contracts';
import { api } from '../api/client';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { budgetScope } from '../costs/budget-text';
import { BudgetsCard } from '../costs/BudgetsCard';
import { formatMoney } from '../costs/money';
import type { StackedSeries } from '../costs/series';
import { NONE, burnSeries, stackRows } from '../costs/series';

// The chart library loads only when the charts do (its own chunk): the page's numbers show before it arrives.
const StackedBars = lazy(() => import('../costs/CostCharts').then((m) => ({ default: m.StackedBars })));
const BurnChart = lazy(() => import('../costs/CostCharts').then((m) => ({ default: m.BurnChart })));

const RANGES = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
];
const DAY_MS = 86_400_000;

/** Whole UTC days: the first bucket is a full day, like every other. */
function rangeStart(days: number, now: number): string {
  return new Date(Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS).toISOString();
}

function monthStart(now: number): string {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)).toISOString();
}

interface CostData {
  byDeployment: UsageResponse;
  byProject: UsageResponse;
  byGpu: UsageResponse;
  names: Map<string, string>;
}

export default function CostsPage() {
  const [days, setDays] = useState(30);
  const [now] = useState(() => Date.now());
  const costs = useRequest<CostData>(async () => {
    const from = rangeStart(days, now);
    const [byDeployment, byProject, byGpu, deployments] = await Promise.all([
      api.usage({ from, group_by: 'day', by: 'deployment' }),
      api.usage({ from, group_by: 'day', by: 'project' }),
      api.usage({ from, group_by: 'day', by: 'gpu_type' }),
      api.deployments({ page_size: 100 }).catch(() => ({ items: [] })),
    ]);
    return { byDeployment, byProject, byGpu, names: new Map(deployments.items.map((d) => [d.id, d.name])) };
  }, [days, now]);
  const budgets = useRequest(() => api.budgets(), []);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="costs-page">
      <Space align="center" style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Costs
        </Typography.Title>
        <Segmented
          aria-label="time range"
          value={days}
          onChange={(value) => setDays(value)}
          options={RANGES.map((r) => ({ label: r.label, value: r.days }))}
        />
      </Space>
      <Typography.Text type="secondary">
        Metered per minute from what each job held, at its cluster's prices (UTC days). Amounts still grow for the minutes not metered yet.
      </Typography.Text>
      {costs.error ? <ErrorAlert error={costs.error} title="Usage could not be loaded" /> : null}
      {costs.loading && !costs.data ? <Spin /> : null}
      {costs.data ? <Spend data={costs.data} /> : null}
      {budgets.error ? <ErrorAlert error={budgets.error} title="Budgets could not be loaded" /> : null}
      {budgets.data ? <Burn budgets={budgets.data} now={now} /> : null}
      {budgets.data ? <BudgetsCard budgets={budgets.data} onChanged={budgets.reload} /> : null}
      <Invoices now={now} />
    </Space>
  );
}

function Spend({ data }: { data: CostData }) {
  const deploymentName = (key: string | null) => (key === null ? NONE : (data.names.get(key) ?? key.slice(0, 8)));
  const projectName = (key: string | null) => (key === null ? 'no project' : key.slice(0, 8));
  const gpuName = (key: string | null) => key || 'no GPU';
  const series = useMemo(
    () => ({
      deployment: stackRows(data.byDeployment.items, 'cost', 'day', deploymentName),
      project: stackRows(data.byProject.items, 'cost', 'day', projectName),
      gpu: stackRows(data.byGpu.items, 'gpu_hours', 'day', gpuName),
    }),
    [data],
  );
  const { total } = data.byDeployment;
  return (
    <>
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Card>
            <Statistic title="Spend in range" value={formatMoney(total.cost)} valueStyle={{ fontVariantNumeric: 'tabular-nums' }} />
            <span data-testid="range-total" data-cost={total.cost} hidden />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card>
            <Statistic title="GPU-hours" value={total.gpu_hours} />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card>
            <Statistic title="vCPU-hours" value={total.vcpu_hours} />
          </Card>
        </Col>
      </Row>
      <ChartCard title="Spend by deployment" series={series.deployment} unit="usd" />
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <ChartCard title="Spend by project" series={series.project} unit="usd" />
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="GPU-hours by GPU type" series={series.gpu} unit="hours" />
        </Col>
      </Row>
    </>
  );
}

function ChartCard({ title, series, unit }: { title: string; series: StackedSeries; unit: 'usd' | 'hours' }) {
  return (
    <Card title={title} size="small">
      {series.keys.length === 0 ? (
        <Empty description="Nothing metered in this range" />
      ) : (
        <Suspense fallback={<Spin tip="Loading the chart…" />}>
          <StackedBars series={series} unit={unit} label={title} />
        </Suspense>
      )}
    </Card>
  );
}

function Burn({ budgets, now }: { budgets: BudgetResponse[]; now: number }) {
  const [chosen, setChosen] = useState<string>();
  const budget = budgets.find((b) => b.id === chosen) ?? budgets[0];
  // The budget's own tenant: an admin's usage without tenant_id would sum every tenant.
  const tenantId = budget?.tenant_id;
  const month = useRequest(
    async () => (tenantId ? api.usage({ from: monthStart(now), group_by: 'day', by: 'project', tenant_id: tenantId }) : undefined),
    [tenantId, now],
  );
  if (!budget) return null;
  const rows = (month.data?.items ?? []).filter((r) => budget.project_id === null || r.key === budget.project_id);
  return (
    <Card
      title={`Budget burn, ${budget.period}`}
      size="small"
      extra={
        budgets.length > 1 ? (
          <Select
            aria-label="budget"
            value={budget.id}
            onChange={setChosen}
            style={{ width: 220 }}
            options={budgets.map((b) => ({ value: b.id, label: `${budgetScope(b)} budget` }))}
          />
        ) : null
      }
    >
      <Typography.Paragraph data-testid="burn-summary">
        {formatMoney(budget.spent)} spent of {formatMoney(budget.monthly_amount)}; projected month end{' '}
        <strong>{formatMoney(budget.projected_month_end)}</strong>, {formatMoney(budget.remaining)} remaining.
      </Typography.Paragraph>
      <Suspense fallback={<Spin tip="Loading the chart…" />}>
        <BurnChart points={burnSeries(budget, rows, new Date(now))} label="budget burn" />
      </Suspense>
    </Card>
  );
}

function Invoices({ now }: { now: number }) {
  const date = new Date(now);
  const periods = [0, 1, 2].map((back) => {
    const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - back, 1));
    return d.toISOString().slice(0, 7);
  });
  return (
    <Card title="Invoices" size="small">
      <Space wrap>
        {periods.map((period) => (
          <span key={period}>
            {period}:{' '}
            <a href={`/api/v1/invoices/${period}?format=json`} target="_blank" rel="noreferrer">
              JSON
            </a>{' '}
            <a href={`/api/v1/invoices/${period}?format=csv`} download={`invoice-${period}.csv`}>
              CSV
            </a>
          </span>
        ))}
      </Space>
    </Card>
  );
}
