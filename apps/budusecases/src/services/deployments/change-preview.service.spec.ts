import type { Principal } from '@bud/auth';
import { SecretBox } from '@bud/auth';
import type { ClusterResponse, DeploymentPlan, PlannedComponent, QuotaResponse, ScheduleResponse, VolumeResponse } from '@bud/contracts';
import { changePlanSchema } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { ManualClock } from '@bud/testing';
import { resolveTemplate } from '../../domain/resolver';
import { makeContext, makeRegistry, makeTemplate } from '../../../test/support/resolver-fixtures';
import type { DeploymentComponentRecord, DeploymentRecord } from '../../entities/records';
import type { DeploymentRepository } from '../../repositories/deployment.repository';
import type { ComponentService } from '../registry/component.service';
import type { BudclusterClient } from './budcluster.client';
import { ChangePreviewService } from './change-preview.service';
import type { DeploymentChange, NextDeploymentState } from './deployment-change';
import type { DeploymentChangePlanner } from './deployment-change-planner.service';
import { sealSecrets } from './deployment-secrets';

const context = makeContext();
const registry = makeRegistry();
const box = new SecretBox('preview-spec-key');
const principal: Principal = { userId: 'u', tenantId: 't', scopes: new Set(), token: 'user-token' };

function plan(parameters: Record<string, unknown>): DeploymentPlan {
  const result = resolveTemplate({ template: makeTemplate(), registry, parameters, context });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}
const planned = (p: DeploymentPlan): Map<string, PlannedComponent> => new Map(p.waves.flatMap((w) => w.components.map((c) => [c.id, c])));
const base = plan({ model_id: 'm/a', api_key: 'sk-secret' });

// Records carry more fields than a preview reads; these builders fill the ones it does.
function deployment(fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: context.deployment.id,
    clusterId: context.cluster.id,
    templateVersion: '1.0.0',
    parameters: base.parameters,
    secretParameters: sealSecrets(box, { api_key: 'sk-secret' }),
    resolveContext: context,
    desiredState: 'running',
    status: 'running',
    componentOverrides: {},
    ...fields,
  } as DeploymentRecord;
}

function components(): DeploymentComponentRecord[] {
  return [...planned(base).values()].map(
    (c) =>
      ({
        id: c.id,
        componentRef: c.component_ref,
        status: 'running',
        removed: false,
        wave: c.wave,
        planned: c,
        definition: registry.get(c.component_ref),
        jobStatus: 'running',
        jobOutputs: {},
        outputs: { url: `http://${c.id}:8080`, openai_base_url: `http://${c.id}:8080/v1` },
      }) as unknown as DeploymentComponentRecord,
  );
}

const volume = {
  component: 'api',
  volume_name: 'data',
  claim_name: 'api-data',
  job_name: 'api',
  size: '10Gi',
  status: 'attached',
} as VolumeResponse;

function service(next?: (change: DeploymentChange) => NextDeploymentState, quota: QuotaResponse | null = null) {
  const calls = { next: [] as DeploymentChange[], volumes: 0, quotaOf: [] as string[] };
  const budcluster = {
    getCluster: () =>
      Promise.resolve({
        price_table: { ...context.cluster.price_table, storage_gib_month: 0.25 },
        gpu_inventory: { 'A100-80GB': 4 },
      } as unknown as ClusterResponse),
    quotaOf: (_token: string, _cluster: string, tenantId: string) => {
      calls.quotaOf.push(tenantId);
      return Promise.resolve(quota);
    },
    schedule: () => Promise.resolve({ gpus: { 'A100-80GB': { total: 4, used: 3, queued: 0 } } } as unknown as ScheduleResponse),
    volumesOfDeployment: () => {
      calls.volumes++;
      return Promise.resolve([volume]);
    },
    budgetCheck: () => Promise.resolve(null),
  } as unknown as BudclusterClient;
  const changes = {
    next: (_p: Principal, _d: DeploymentRecord, change: DeploymentChange) => {
      calls.next.push(change);
      if (!next) throw new Error('next() was not expected');
      return Promise.resolve(next(change));
    },
  } as unknown as DeploymentChangePlanner;
  const deployments = { components: () => Promise.resolve(components()) } as unknown as DeploymentRepository;
  const componentService = { activeRegistry: () => Promise.resolve(registry) } as unknown as ComponentService;
  const clock = new ManualClock(0);
  const signToken = () => Promise.resolve('service-token');
  return { preview: new ChangePreviewService(deployments, changes, budcluster, componentService, box, clock, signToken), calls };
}

function nextState(p: DeploymentPlan, fields: Partial<NextDeploymentState> = {}): NextDeploymentState {
  return {
    templateVersion: '1.0.0',
    templateDocument: makeTemplate(),
    plan: p,
    secretParameters: { api_key: 'sk-secret' },
    overrides: {},
    planned: planned(p),
    added: [],
    removed: [],
    changed: [],
    ...fields,
  };
}

describe('ChangePreviewService', () => {
  it('previews a delete from budcluster’s volumes, priced at the cluster’s storage price, without re-planning', async () => {
    const { preview, calls } = service();
    const answer = await preview.preview(principal, deployment(), { action: 'delete', keepData: false });
    expect(changePlanSchema.parse(answer)).toEqual(answer);
    expect(calls.next).toEqual([]);
    expect(answer.components.every((c) => c.change === 'remove')).toBe(true);
    expect(answer.data_at_risk).toEqual([
      { component: 'api', volume: 'data', claim_name: 'api-data', size: '10Gi', estimated_cost_per_month: '2.500000' },
    ]);
    expect((await preview.preview(principal, deployment(), { action: 'delete', keepData: true })).data_at_risk).toEqual([]);
  });

  it('does not ask budcluster for volumes when nothing can lose data', async () => {
    const { preview, calls } = service(() => nextState(base));
    await preview.preview(principal, deployment(), { action: 'stop' });
    await preview.preview(principal, deployment(), { action: 'update', change: { kind: 'update', parameters: {} } });
    expect(calls.volumes).toBe(0);
  });

  it('refuses what the apply would refuse (a stop or update of a deleting deployment, an update of a stopped one), and previews a no-op as unchanged', async () => {
    const { preview } = service();
    await expect(
      preview.preview(principal, deployment({ desiredState: 'deleted', status: 'deleting' }), { action: 'stop' }),
    ).rejects.toThrow(AppError);
    const deleting = deployment({ desiredState: 'deleted', status: 'deleting' });
    const update = { action: 'update', change: { kind: 'update', parameters: {} } } as const;
    await expect(preview.preview(principal, deleting, update)).rejects.toMatchObject({ code: 'conflict' });
    await expect(preview.preview(principal, deployment({ desiredState: 'stopped', status: 'stopped' }), update)).rejects.toMatchObject({
      code: 'conflict',
    });
    const stopped = await preview.preview(principal, deployment({ desiredState: 'stopped', status: 'stopped' }), { action: 'stop' });
    expect(stopped.components.map((c) => c.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('compares the scale against the stored overrides, and opens the sealed secrets without showing them', async () => {
    const scaledApi = planned(base).get('api')!;
    const next = planned(base);
    next.set('api', { ...scaledApi, job: { ...scaledApi.job, resources: { ...scaledApi.job.resources, replicas: 3 } } });
    const { preview, calls } = service(() => ({ ...nextState(base), planned: next }));
    const change: DeploymentChange = { kind: 'scale', componentId: 'api', request: { replicas: 3 } };
    const fresh = await preview.preview(principal, deployment(), { action: 'scale', change });
    expect(calls.next).toEqual([change]);
    expect(fresh.components.find((c) => c.id === 'api')).toMatchObject({
      change: 'scale',
      fields: [{ path: 'resources.replicas', from: 1, to: 3 }],
    });
    const again = await preview.preview(principal, deployment({ componentOverrides: { api: { replicas: 3 } } }), {
      action: 'scale',
      change,
    });
    expect(again.components.find((c) => c.id === 'api')?.change).toBe('unchanged');
    expect(JSON.stringify([fresh, again])).not.toContain('sk-secret');
  });

  it('judges capacity against the GPUs budcluster has free now', async () => {
    const llm = planned(base).get('llm')!;
    const next = planned(base);
    next.set('llm', { ...llm, job: { ...llm.job, resources: { ...llm.job.resources, replicas: 2 } } });
    const { preview } = service(() => ({ ...nextState(base), planned: next }));
    const answer = await preview.preview(principal, deployment(), {
      action: 'scale',
      change: { kind: 'scale', componentId: 'llm', request: { replicas: 2 } },
    });
    expect(answer.capacity).toMatchObject({ admits: false, gpus: [{ gpu_type: 'A100-80GB', requested: 2, free: 1 }] });
  });

  it('judges what the change adds under the deployment tenant’s quota, and leaves the quota part out when budcluster has none', async () => {
    const llm = planned(base).get('llm')!;
    const next = planned(base);
    next.set('llm', { ...llm, job: { ...llm.job, resources: { ...llm.job.resources, replicas: 3 } } });
    const scale = { action: 'scale', change: { kind: 'scale', componentId: 'llm', request: { replicas: 3 } } } as const;
    const quota = {
      source: 'tenant',
      gpus: { 'A100-80GB': { nominal: 2, borrowing_limit: 2 } },
      cohort: true,
      usage: { gpus: { 'A100-80GB': { admitted: 2, borrowed: 0, queued: 0 } }, cpu: '0', memory: '0' },
    } as unknown as QuotaResponse;
    const { preview, calls } = service(() => ({ ...nextState(base), planned: next }), quota);
    const answer = await preview.preview(principal, deployment({ tenantId: 'owner' }), scale);
    expect(calls.quotaOf).toEqual(['owner']);
    expect(changePlanSchema.parse(answer)).toEqual(answer);
    expect(answer.capacity.quota).toEqual({
      outcome: 'queues',
      message: 'needs 4 × A100-80GB: your work holds 2 (nominal 2, borrowing limit 2), so it waits for 2 of yours to free up',
    });
    const older = service(() => ({ ...nextState(base), planned: next }));
    expect((await older.preview.preview(principal, deployment(), scale)).capacity.quota).toBeUndefined();
  });
});
