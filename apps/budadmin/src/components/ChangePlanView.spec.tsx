/** @jest-environment jsdom */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { makeChangePlan } from '../../test/support/change-plan';
import { ChangeDialog } from './ChangeDialog';
import { ChangePlanView } from './ChangePlanView';
import { stubMatchMedia } from '../../test/support/match-media';

beforeAll(() => {
  stubMatchMedia();
});

const plan = makeChangePlan();

describe('ChangePlanView', () => {
  it('shows each component with its change and field changes, the blast radius, cost before/after and the data at risk', () => {
    const { container } = render(<ChangePlanView plan={plan} />);
    const rows = [...container.querySelectorAll('[data-change-component]')];
    expect(rows.map((r) => [r.getAttribute('data-change-component'), r.getAttribute('data-change')])).toEqual([
      ['llm', 'rolling'],
      ['reranker', 'remove'],
    ]);
    expect(container.querySelector('[data-field="spec.env.MAX_MODEL_LEN"]')?.textContent).toBe('spec.env.MAX_MODEL_LEN: 4096 → 8192');
    expect(screen.getByTestId('blast-radius').textContent).toBe('orchestrator restarts because llm.url changes');
    expect(screen.getByTestId('change-cost').textContent).toBe('3.500000 → 3.000000 (-0.500000)');
    expect(screen.getByTestId('data-at-risk').getAttribute('data-volumes')).toBe('1');
    expect(screen.getByText('reranker-cache')).toBeTruthy();
    expect(screen.getByText('2 of 2 components change')).toBeTruthy();
  });

  it('says so when no data is at risk and nothing restarts', () => {
    render(<ChangePlanView plan={{ ...plan, data_at_risk: [], blast_radius: [] }} />);
    expect(screen.getByTestId('data-at-risk').getAttribute('data-volumes')).toBe('0');
    expect(screen.getByTestId('blast-radius').textContent).toBe('No dependent restarts');
  });
});

describe('ChangeDialog', () => {
  it('previews first, applies only on confirmation, and asks for the plan again when the preview key changes', async () => {
    const preview = jest.fn(async () => plan);
    const apply = jest.fn(async () => undefined);
    const onApplied = jest.fn();
    const props = { title: 'Delete rag', open: true, onClose: () => undefined, preview, apply, applyLabel: 'Delete', onApplied };
    const { rerender } = render(<ChangeDialog {...props} previewKey="false" />);
    await screen.findByTestId('change-plan');
    expect(preview).toHaveBeenCalledTimes(1);
    expect(apply).not.toHaveBeenCalled();
    rerender(<ChangeDialog {...props} previewKey="true" />);
    await waitFor(() => expect(preview).toHaveBeenCalledTimes(2));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(onApplied).toHaveBeenCalled());
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('keeps the preview button disabled while the form says why', () => {
    render(
      <ChangeDialog
        title="Update"
        open
        onClose={() => undefined}
        form={<p>form</p>}
        previewBlocked="Change a parameter to preview the update"
        preview={async () => plan}
        apply={async () => undefined}
        applyLabel="Apply update"
        onApplied={() => undefined}
      />,
    );
    expect(screen.getByText('Change a parameter to preview the update')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Preview' }).disabled).toBe(true);
  });
});
