import { simulatedSettingsSchema } from '@bud/contracts';
import type { Clock } from '@bud/ports';
import type { ClusterEntity } from '../entities';
import type { ClusterDriver } from './cluster-driver';
import { guardedLookup } from './kubernetes/cluster-address';
import { kubeconfigRefusal, readKubeconfig } from './kubernetes/read-kubeconfig';
import { SimulatedDriver } from './simulated/simulated-driver';

export interface DriverFactoryDeps {
  clock: Clock;
  /** Opens what the platform sealed with SECRETS_KEY: a cluster's kubeconfig, a job's secret_env. */
  openSealed(sealed: string): string;
  resyncIntervalMs: number;
  orphanGraceMs: number;
  /** CLUSTER_PROBE_MS (docs/design.md#cluster-status); the driver's default when absent. */
  probeIntervalMs?: number;
  /** CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: API servers on loopback, link-local, metadata and unspecified addresses are allowed. */
  allowPrivateAddresses: boolean;
}

export async function createDriver(cluster: ClusterEntity, deps: DriverFactoryDeps): Promise<ClusterDriver> {
  if (cluster.type === 'simulated') {
    const settings = simulatedSettingsSchema.parse(cluster.settings ?? {});
    return new SimulatedDriver(cluster.id, settings, deps.clock, Math.random, cluster.isolation ?? undefined);
  }
  if (!cluster.kubeconfigEncrypted) throw new Error(`cluster ${cluster.id} has no kubeconfig`);
  // Rows stored before the inline-credentials policy (or by hand) get no more trust than a new registration.
  const read = readKubeconfig(deps.openSealed(cluster.kubeconfigEncrypted), { allowPrivateAddresses: deps.allowPrivateAddresses });
  if (!read.ok) throw new Error(`cluster ${cluster.id}: stored ${kubeconfigRefusal(read.details).replace(/^the /, '')}`);
  // The Kubernetes client holds ~70 MB resident once loaded: it comes with the first Kubernetes cluster, not at start-up.
  const { KubernetesDriver } = await import('./kubernetes/kubernetes-driver');
  return new KubernetesDriver(JSON.stringify(read.kubeconfig), {
    clusterId: cluster.id,
    clock: deps.clock,
    isolation: cluster.isolation ?? undefined,
    resyncIntervalMs: deps.resyncIntervalMs,
    orphanGraceMs: deps.orphanGraceMs,
    probeIntervalMs: deps.probeIntervalMs,
    openSecret: (sealed) => deps.openSealed(sealed),
    connectLookup: deps.allowPrivateAddresses ? undefined : guardedLookup(),
  });
}
