/** @jest-environment jsdom */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { makeChangePlan } from '../../test/support/change-plan';
import { StopDialog } from './StopDialog';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
});

const id = '33333333-3333-4333-8333-333333333333';
// What the platform answers a stop's dry run: every live component removed, no volume destroyed.
const stopPlan = makeChangePlan({
  action: 'stop',
  components: ['llm', 'reranker'].map((component) => ({
    id: component,
    component_ref: component === 'llm' ? 'vllm-endpoint' : 'tei-reranker',
    change: 'remove' as const,
    fields: [],
    estimated_cost_per_hour_before: '1.000000',
    estimated_cost_per_hour_after: '0.000000',
  })),
  blast_radius: [],
  cost: { before_per_hour: '2.000000', after_per_hour: '0.000000', difference_per_hour: '-2.000000', gpus_before: {}, gpus_after: {} },
  data_at_risk: [],
});

describe('StopDialog', () => {
  const calls: Array<{ method: string; url: string }> = [];
  beforeEach(() => {
    calls.length = 0;
    globalThis.fetch = jest.fn(async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url });
      const body = url.includes('dry_run=true') ? stopPlan : { id, status: 'stopping' };
      return { ok: true, status: 200, text: async () => JSON.stringify(body) } as Response;
    }) as unknown as typeof fetch;
  });

  it('previews the stop (every component removed, volumes kept) and stops only on confirmation', async () => {
    const onApplied = jest.fn();
    const onClose = jest.fn();
    render(<StopDialog deploymentId={id} name="rag" open onClose={onClose} onApplied={onApplied} />);
    const plan = await screen.findByTestId('change-plan');
    expect(plan.getAttribute('data-action')).toBe('stop');
    expect([...document.querySelectorAll('[data-change-component]')].map((row) => row.getAttribute('data-change'))).toEqual([
      'remove',
      'remove',
    ]);
    expect(screen.getByTestId('data-at-risk').getAttribute('data-volumes')).toBe('0');
    expect(screen.getByTestId('stop-keeps-volumes').textContent).toContain('Stopping keeps the volumes');
    expect(calls).toEqual([{ method: 'POST', url: `/api/v1/deployments/${id}/stop?dry_run=true` }]);
    expect(onApplied).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(onApplied).toHaveBeenCalled());
    expect(onClose).toHaveBeenCalled();
    expect(calls).toEqual([
      { method: 'POST', url: `/api/v1/deployments/${id}/stop?dry_run=true` },
      { method: 'POST', url: `/api/v1/deployments/${id}/stop` },
    ]);
  });

  it('does not stop when cancelled after the preview', async () => {
    const onApplied = jest.fn();
    const onClose = jest.fn();
    render(<StopDialog deploymentId={id} name="rag" open onClose={onClose} onApplied={onApplied} />);
    await screen.findByTestId('change-plan');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalled();
    expect(onApplied).not.toHaveBeenCalled();
    expect(calls.map((c) => c.url)).toEqual([`/api/v1/deployments/${id}/stop?dry_run=true`]);
  });
});
