import { simulatedSettingsSchema } from '@bud/contracts';
import type { Clock } from '../domain/clock';
import type { ClusterEntity } from '../entities';
import type { ClusterDriver } from './cluster-driver';
import { KubernetesDriver } from './kubernetes';
import { SimulatedDriver } from './simulated/simulated-driver';

export interface DriverFactoryDeps {
  clock: Clock;
  /** Opens what the platform sealed with SECRETS_KEY: a cluster's kubeconfig, a job's secret_env. */
  openSealed(sealed: string): string;
  resyncIntervalMs: number;
  orphanGraceMs: number;
}

export function createDriver(cluster: ClusterEntity, deps: DriverFactoryDeps): ClusterDriver {
  if (cluster.type === 'simulated') {
    return new SimulatedDriver(cluster.id, simulatedSettingsSchema.parse(cluster.settings ?? {}), deps.clock);
  }
  if (!cluster.kubeconfigEncrypted) throw new Error(`cluster ${cluster.id} has no kubeconfig`);
  return new KubernetesDriver(deps.openSealed(cluster.kubeconfigEncrypted), {
    clusterId: cluster.id,
    resyncIntervalMs: deps.resyncIntervalMs,
    orphanGraceMs: deps.orphanGraceMs,
    openSecret: (sealed) => deps.openSealed(sealed),
  });
}
