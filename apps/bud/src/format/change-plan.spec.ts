import { makeChangePlan } from '../../test/support/fixtures';
import { renderChangePlan, signedUsd } from './change-plan';

describe('renderChangePlan', () => {
  const text = renderChangePlan(makeChangePlan(), 'rag');
  const lines = text.split('\n');

  it('says it is a dry run of which action on which deployment', () => {
    expect(lines[0]).toBe('Update plan for rag (dry run: nothing was changed)');
    expect(text).toMatch(/^Template version:\s+1\.0\.0$/m);
    expect(text).toMatch(/^Components:\s+3 of 4 change$/m);
  });

  it('shows one row per changed field under its component, with the change and $/hour before → after', () => {
    expect(text).toMatch(/^COMPONENT\s+CHANGE\s+\$\/HOUR\s+FIELD\s+FROM\s+TO$/m);
    expect(text).toMatch(/^llm\s+rolling\s+\$3\.00 → \$6\.00\s+spec\.env\.MAX_MODEL_LEN\s+4096\s+8192$/m);
    expect(text).toMatch(/^\s+resources\.replicas\s+1\s+2$/m);
    expect(text).toMatch(/^reranker\s+remove\s+\$0\.50 → \$0\.00\s+-$/m);
    expect(text).toMatch(/^vector-db\s+unchanged\s+\$0\.20\s+-$/m);
  });

  it('names each dependent that restarts and the output that makes it', () => {
    expect(text).toContain('Blast radius: 1 dependent restart');
    expect(text).toMatch(/^orchestrator\s+llm\.url$/m);
  });

  it('shows cost before → after with the signed difference, GPUs and the capacity verdict', () => {
    expect(text).toMatch(/^Cost:\s+\$3\.80 → \$6\.30\/hour \(\+\$2\.50\)$/m);
    expect(text).toMatch(/^GPUs:\s+1x A100-80GB → 2x A100-80GB$/m);
    expect(text).toMatch(/^Capacity:\s+fits: fits$/m);
    expect(text).not.toMatch(/^Quota:/m);
  });

  it("shows the capacity verdict's quota part when the cluster reported one", () => {
    const base = makeChangePlan();
    const withQuota = renderChangePlan(
      makeChangePlan({
        capacity: {
          ...base.capacity,
          quota: { outcome: 'never_fits', message: 'needs 6 × A100-80GB but your quota allows at most 5 (nominal 4, borrowing limit 1)' },
        },
      }),
      'rag',
    );
    expect(withQuota).toMatch(
      /^Quota:\s+NEVER fits: needs 6 × A100-80GB but your quota allows at most 5 \(nominal 4, borrowing limit 1\)$/m,
    );
  });

  it('lists the volumes that would be destroyed with size and $/month', () => {
    expect(text).toContain('Data at risk: 1 volume would be DESTROYED');
    expect(text).toMatch(/^reranker\s+cache\s+reranker-cache\s+10Gi\s+\$1\.00$/m);
  });

  it('says so when nothing restarts and no data is at risk, and shows a version move', () => {
    const quiet = renderChangePlan(
      makeChangePlan({ action: 'upgrade', template_version_after: '1.1.0', blast_radius: [], data_at_risk: [] }),
      'rag',
    );
    expect(quiet).toMatch(/^Upgrade plan for rag/);
    expect(quiet).toMatch(/^Template version:\s+1\.0\.0 → 1\.1\.0$/m);
    expect(quiet).toContain('Blast radius: no dependent restarts.');
    expect(quiet).toContain('Data at risk: none; no volume is destroyed.');
    expect(renderChangePlan(makeChangePlan({ cost: { ...makeChangePlan().cost, gpus_after: {} } }), 'rag')).toMatch(
      /^GPUs:\s+1x A100-80GB → none$/m,
    );
  });

  it('cuts long field values and strips control characters', () => {
    const plan = makeChangePlan();
    plan.components[0].fields = [{ path: 'spec.env.PROMPT', from: 'x'.repeat(200), to: 'a\u001b[31mb' }];
    const shown = renderChangePlan(plan, 'rag');
    expect(shown).toContain(`${'x'.repeat(47)}…`);
    expect(shown).not.toContain('\u001b');
  });
});

describe('signedUsd', () => {
  it.each([
    ['2.500000', '+$2.50'],
    ['-0.500000', '-$0.50'],
    ['0.000000', '±$0.00'],
    ['-0.004500', '-$0.0045'],
  ])('%s → %s', (decimal, shown) => expect(signedUsd(decimal)).toBe(shown));
});
