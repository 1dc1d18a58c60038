import type { KubernetesObject } from '@kubernetes/client-node';
import { BUILT_IN_DEFAULT_QUOTA } from '../../domain/quota-model';
import { KueueQueues, type KueueApi } from './kueue-queues';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TENANT = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

function fakeApi(kueue = true): KueueApi & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    hasKueue: async () => kueue,
    applyCustom: async (object: KubernetesObject) => {
      applied.push(`${object.kind}/${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`);
    },
  };
}

describe('KueueQueues', () => {
  it("applies the cluster's objects once, then only what a change renders differently", async () => {
    const api = fakeApi();
    const queues = new KueueQueues(api, 'cluster-1', quiet);
    await queues.ensureNamespace('team-a', TENANT);
    expect(api.applied).toEqual([
      'ResourceFlavor/default',
      'WorkloadPriorityClass/bud-critical',
      'WorkloadPriorityClass/bud-high',
      'WorkloadPriorityClass/bud-normal',
      'WorkloadPriorityClass/bud-low',
      'ClusterQueue/bud-pool',
      'ClusterQueue/bud-aaaaaaaaaaaa',
      'LocalQueue/team-a/bud',
    ]);
    api.applied.length = 0;
    // Known tenant and namespace: no call.
    await queues.ensureNamespace('team-a', TENANT);
    expect(api.applied).toEqual([]);

    // The inventory brings a flavor and changes both queues' GPU groups; nothing else is sent again.
    queues.setInventory({ 'H100-80GB': 8 });
    await queues.sync();
    expect(api.applied).toEqual(['ResourceFlavor/gpu-h100-80gb', 'ClusterQueue/bud-pool', 'ClusterQueue/bud-aaaaaaaaaaaa']);
    api.applied.length = 0;

    // A quota of the tenant: the pool lends less, the tenant holds more.
    queues.setQuotas({
      defaultQuota: BUILT_IN_DEFAULT_QUOTA,
      tenants: [{ ...BUILT_IN_DEFAULT_QUOTA, tenantId: TENANT, gpus: { 'H100-80GB': { nominal: 4, borrowingLimit: null } } }],
    });
    await queues.sync();
    expect(api.applied).toEqual(['ClusterQueue/bud-pool', 'ClusterQueue/bud-aaaaaaaaaaaa']);
  });

  it('makes a new tenant’s ClusterQueue before it returns, even while another pass is under way', async () => {
    const api = fakeApi();
    const queues = new KueueQueues(api, 'cluster-1', quiet);
    const first = queues.sync();
    await queues.ensureTenant(TENANT);
    await first;
    expect(api.applied).toContain('ClusterQueue/bud-aaaaaaaaaaaa');
  });

  it('sends nothing to a cluster without Kueue', async () => {
    const api = fakeApi(false);
    const queues = new KueueQueues(api, 'cluster-1', quiet);
    await queues.ensureNamespace('team-a', TENANT);
    queues.setInventory({ 'H100-80GB': 8 });
    await queues.sync();
    expect(api.applied).toEqual([]);
  });

  it('applies a namespace’s LocalQueue again after the namespace was forgotten (deleted)', async () => {
    const api = fakeApi();
    const queues = new KueueQueues(api, 'cluster-1', quiet);
    await queues.ensureNamespace('team-a', TENANT);
    queues.forgetNamespace('team-a');
    api.applied.length = 0;
    await queues.ensureNamespace('team-a', TENANT);
    expect(api.applied).toEqual(['LocalQueue/team-a/bud']);
  });
});
