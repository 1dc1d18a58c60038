/** @jest-environment jsdom */
import { render, screen, waitFor } from '@testing-library/react';
import type { QuotaResponse } from '@bud/contracts';
import ClustersPage from '../pages/ClustersPage';
import { PlanReview } from '../components/PlanReview';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
});

const CLUSTER = '11111111-1111-4111-8111-111111111111';
const TENANT = '44444444-4444-4444-8444-444444444444';
const quota: QuotaResponse = {
  cluster_id: CLUSTER,
  tenant_id: TENANT,
  source: 'tenant',
  gpus: { 'H100-80GB': { nominal: 4, borrowing_limit: 2 } },
  cpu: null,
  memory: { nominal: '256Gi', borrowing_limit: null },
  weight: 2,
  cohort: true,
  usage: { gpus: { 'H100-80GB': { admitted: 5, borrowed: 1, queued: 2 } }, cpu: '4', memory: '16Gi' },
  updated_at: '2026-01-10T11:00:00.000Z',
};
const defaultQuota: QuotaResponse = {
  ...quota,
  tenant_id: null,
  source: 'default',
  gpus: {},
  memory: null,
  weight: 1,
  usage: null,
  cohort: false,
};
const job = (name: string, fields: Record<string, unknown>) => ({
  id: `${name}-0000-4000-8000-000000000000`,
  name,
  status: 'running',
  status_message: null,
  resources: { gpu_type: 'H100-80GB', gpu_count: 1, replicas: 1 },
  queue_position: null,
  admitted_flavor: null,
  ...fields,
});

function serve(routes: Record<string, unknown>) {
  globalThis.fetch = jest.fn(async (url: string) => {
    const path = url.split('?')[0];
    if (!(path in routes))
      return { ok: false, status: 404, statusText: 'Not Found', json: async () => ({}), text: async () => '' } as unknown as Response;
    return { ok: true, status: 200, text: async () => JSON.stringify(routes[path]) } as Response;
  }) as unknown as typeof fetch;
}
const page = (items: unknown[]) => ({ items, total: items.length, page: 1, page_size: 100 });
const cluster = { id: CLUSTER, name: 'local', simulated: true, status: 'ready', gpu_inventory: { 'H100-80GB': 8 } };

describe('the cluster page', () => {
  it('shows the quotas with usage, queued jobs with position and estimated start, and admitted flavors', async () => {
    const soon = '2026-01-10T13:00:00.000Z';
    serve({
      '/api/v1/clusters': page([cluster]),
      [`/api/v1/clusters/${CLUSTER}/quotas`]: page([quota, defaultQuota]),
      [`/api/v1/clusters/${CLUSTER}/jobs`]: page([
        job('waits', { status: 'queued', queue_position: 2, status_message: 'insufficient unused quota' }),
        job('runs', { admitted_flavor: 'gpu-h100-80gb' }),
      ]),
      [`/api/v1/clusters/${CLUSTER}/schedule`]: {
        start: '2026-01-10T11:00:00.000Z',
        end: '2026-01-10T14:00:00.000Z',
        gpus: { 'H100-80GB': { total: 8, used: 5, queued: 2 } },
        jobs: [
          {
            job_id: 'a',
            name: 'waits',
            status: 'queued',
            job_type: 'batch',
            gpu_type: 'H100-80GB',
            gpu_count: 2,
            start: '2026-01-10T12:00:00.000Z',
            end: '2026-01-10T14:00:00.000Z',
            end_is_estimate: true,
            queue_position: 2,
            estimated_start: soon,
          },
        ],
      },
    });
    render(<ClustersPage />);
    const row = await waitFor(() => {
      const found = document.querySelector(`[data-quota-tenant="${TENANT}"]`);
      if (!found) throw new Error('no quota row yet');
      return found;
    });
    expect(row.textContent).toContain('H100-80GB: 4 + 2 · 5 in use (1 borrowed) · 2 queued');
    expect(row.textContent).toContain('memory 256Gi + any');
    const fallback = document.querySelector('[data-quota-tenant="default"]');
    expect(fallback?.textContent).toContain('default (tenants without their own quota)');
    expect(fallback?.textContent).toContain('outside');

    expect((await screen.findByTestId('queued-entry')).textContent).toBe(`#2 in queue · starts ~${new Date(soon).toLocaleTimeString()}`);
    expect((await screen.findByTestId('queue-position')).textContent).toBe('#2');
    expect(document.querySelector('[data-job="runs"]')?.textContent).toContain('gpu-h100-80gb');
  });

  it('shows no quota on a budcluster without quota routes', async () => {
    serve({
      '/api/v1/clusters': page([cluster]),
      [`/api/v1/clusters/${CLUSTER}/jobs`]: page([]),
      [`/api/v1/clusters/${CLUSTER}/schedule`]: { start: '2026-01-10T11:00:00.000Z', end: '2026-01-10T14:00:00.000Z', gpus: {}, jobs: [] },
    });
    render(<ClustersPage />);
    expect(await screen.findByText('No quota on this cluster')).toBeTruthy();
  });
});

describe('the dry-run review', () => {
  it('says when the stack can never run under the quota, and why', () => {
    render(
      <PlanReview
        plan={{
          template_id: 't',
          template_version: '1.0.0',
          parameters: {},
          waves: [],
          skipped: [],
          total: { components: 0, gpus: { 'H100-80GB': 6 }, estimated_cost_per_hour: '0.000000' },
          capacity: {
            admits: true,
            gpus: [{ gpu_type: 'H100-80GB', requested: 6, free: 8, sufficient: true }],
            message: 'enough free GPUs of every requested type',
            quota: { outcome: 'never_fits', message: 'needs 6 × H100-80GB but your quota allows at most 5 (nominal 4, borrowing limit 1)' },
          },
        }}
      />,
    );
    const verdict = screen.getByTestId('quota-verdict');
    expect(verdict.getAttribute('data-outcome')).toBe('never_fits');
    expect(verdict.textContent).toContain('Can never run under your quota');
    expect(verdict.textContent).toContain('at most 5 (nominal 4, borrowing limit 1)');
  });
});
