import type { DeploymentPlan, PlannedComponent, PriceTable } from '@bud/contracts';
import type { ResolveContext } from '../resolver';
import { applyOverride, mergeOverride, replanTotals } from './component-overrides';

const prices: PriceTable = { gpu_hour: { 'A100-80GB': 2 }, vcpu_hour: 0.04, memory_gib_hour: 0.005, storage_gib_month: 0.1 };
const planned = (id: string, resources: Record<string, unknown>): PlannedComponent =>
  ({
    id,
    resources,
    job: { resources },
    gpu: { type: (resources.gpu_type as string) ?? null, count: 0 },
    estimated_cost_per_hour: '0.000000',
  }) as unknown as PlannedComponent;

describe('scale overrides over planned components (docs/design.md#deployment-update)', () => {
  it('merges a scale into what is stored, replicas and resources alike', () => {
    const stored = mergeOverride({}, 'llm', { replicas: 2 });
    expect(mergeOverride(stored, 'llm', { resources: { cpu_request: '2' } })).toEqual({ llm: { replicas: 2, cpu_request: '2' } });
    expect(mergeOverride(stored, 'db', { replicas: 0 })).toEqual({ llm: { replicas: 2 }, db: { replicas: 0 } });
  });

  it('applies an override to the job and plan resources, with GPUs and cost recomputed', () => {
    const llm = planned('llm', { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 });
    const scaled = applyOverride(llm, { replicas: 3 }, prices, 'replicas');
    expect(scaled.ok && [scaled.value.job.resources.replicas, scaled.value.resources.replicas, scaled.value.gpu]).toEqual([
      3,
      3,
      { type: 'A100-80GB', count: 3 },
    ]);
    expect(scaled.ok && scaled.value.estimated_cost_per_hour).toBe('6.135000');
    expect(applyOverride(llm, undefined, prices, 'replicas')).toEqual({ ok: true, value: llm });
  });

  it('refuses an override that prices the component past the bound, naming the path', () => {
    const llm = planned('llm', { gpu_type: 'A100-80GB', gpu_count: 64, cpu_request: '1', memory_request: '1Gi', replicas: 1 });
    const expensive = { gpu_hour: { 'A100-80GB': 1_000_000 }, vcpu_hour: 0, memory_gib_hour: 0, storage_gib_month: 0 };
    const refused = applyOverride(llm, { replicas: 1000 }, expensive, 'replicas');
    expect(refused.ok ? null : refused.errors.map((e) => e.path)).toEqual(['replicas']);
  });

  it('recomputes the plan totals and capacity over the overridden components', () => {
    const a = { ...planned('a', {}), gpu: { type: 'A100-80GB', count: 2 }, estimated_cost_per_hour: '4.000000' };
    const b = { ...planned('b', {}), estimated_cost_per_hour: '0.500000' };
    const plan = {
      waves: [{ wave: 0, components: [planned('a', {}), b] }],
      total: { components: 2, gpus: {}, estimated_cost_per_hour: '0.500000' },
    } as unknown as DeploymentPlan;
    const context = { cluster: { gpu_free: { 'A100-80GB': 1 } } } as unknown as ResolveContext;
    const next = replanTotals(plan, new Map([['a', a]]), context);
    expect(next.total).toEqual({ components: 2, gpus: { 'A100-80GB': 2 }, estimated_cost_per_hour: '4.500000' });
    expect(next.capacity.admits).toBe(false);
  });
});
