/** @jest-environment jsdom */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { DeploymentResponse } from '@bud/contracts';
import { makeChangePlan } from '../../test/support/change-plan';
import { UpgradeBanner } from './UpgradeBanner';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
});

const deployment = (upgrade: string | null) =>
  ({
    id: '33333333-3333-4333-8333-333333333333',
    name: 'rag',
    template_id: 'simple-rag-v1',
    template_version: '1.0.0',
    upgrade_available: upgrade,
  }) as DeploymentResponse;

describe('UpgradeBanner', () => {
  const calls: Array<{ method: string; url: string }> = [];
  beforeEach(() => {
    calls.length = 0;
    // The page's client over fetch: the dry run answers the plan, the upgrade the deployment.
    globalThis.fetch = jest.fn(async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url });
      const body = url.includes('dry_run=true') ? makeChangePlan({ action: 'upgrade', template_version_after: '1.1.0' }) : deployment(null);
      return { ok: true, status: 200, text: async () => JSON.stringify(body) } as Response;
    }) as unknown as typeof fetch;
  });

  it('shows nothing when no newer version is active', () => {
    const { container } = render(<UpgradeBanner deployment={deployment(null)} onApplied={() => undefined} />);
    expect(container.textContent).toBe('');
  });

  it('offers the newer version, previews the move and upgrades only on confirmation', async () => {
    const onApplied = jest.fn();
    render(<UpgradeBanner deployment={deployment('1.1.0')} onApplied={onApplied} />);
    expect(screen.getByTestId('upgrade-banner').textContent).toContain('Version 1.1.0 of simple-rag-v1 is available');
    fireEvent.click(screen.getByRole('button', { name: 'Preview upgrade' }));
    await screen.findByTestId('change-plan');
    expect(screen.getByText('1.0.0 → 1.1.0')).toBeTruthy();
    expect(calls).toEqual([{ method: 'POST', url: '/api/v1/deployments/33333333-3333-4333-8333-333333333333/upgrade?dry_run=true' }]);
    fireEvent.click(screen.getByRole('button', { name: 'Upgrade' }));
    await waitFor(() => expect(onApplied).toHaveBeenCalled());
    expect(calls.at(-1)).toEqual({ method: 'POST', url: '/api/v1/deployments/33333333-3333-4333-8333-333333333333/upgrade' });
  });
});
