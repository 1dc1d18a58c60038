// The control plane the cluster tests run against: the running test bed (`testbed up`), or one started
// here and stopped afterwards. TESTBED_KUBECONFIG names any other kubeconfig to use instead.
import { readFileSync } from 'node:fs';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { down, restart, runningState, up } from '../../../scripts/testbed/control-plane';
import { applyWorkloadClusterYaml, budclusterKubeconfig } from './workload-identity';

/**
 * What budcluster needs to register the test bed: its API server listens on 127.0.0.1, which budcluster
 * refuses for cluster API servers unless told otherwise.
 */
export const TESTBED_BUDCLUSTER_ENV = { CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: 'true' } as const;

export interface Testbed {
  /**
   * What tests register with budcluster: a token of the budcluster service account of deploy/kubernetes/workload-cluster/,
   * so budcluster runs with only the shipped RBAC.
   */
  kubeconfig: string;
  /** The test bed's admin credentials, for fixtures and assertions (as `kube`). */
  adminKubeconfig: string;
  /** Admin clients. */
  kube: KubeClients;
  /** Stops the control plane if this process started it. */
  release(): Promise<void>;
  /** Restarts one program of the test bed (e.g. kube-apiserver); refused for a kubeconfig given from outside. */
  restart(name: string): Promise<void>;
}

export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export function kubeClients(kubeconfig: string): KubeClients {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

export async function acquireTestbed(): Promise<Testbed> {
  const given = process.env.TESTBED_KUBECONFIG;
  if (given) {
    const adminKubeconfig = readFileSync(given, 'utf8');
    const refuse = async () => {
      throw new Error('TESTBED_KUBECONFIG names a cluster this suite did not start: it cannot restart its programs');
    };
    return { ...(await withBudclusterIdentity(adminKubeconfig)), release: async () => undefined, restart: refuse };
  }
  const running = runningState();
  const state = running ?? (await up());
  const adminKubeconfig = readFileSync(state.kubeconfig, 'utf8');
  return { ...(await withBudclusterIdentity(adminKubeconfig)), release: async () => (running ? undefined : down()), restart };
}

async function withBudclusterIdentity(adminKubeconfig: string): Promise<Pick<Testbed, 'kubeconfig' | 'adminKubeconfig' | 'kube'>> {
  const kube = kubeClients(adminKubeconfig);
  await applyWorkloadClusterYaml(kube);
  return { kubeconfig: await budclusterKubeconfig(kube), adminKubeconfig, kube };
}

/** HTTP status of a failed client call (the client throws ApiException with `code`). */
export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? Number(err.code) : undefined;
}

/** Resolves to true once reading the object answers 404. */
export async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    throw err;
  }
}
