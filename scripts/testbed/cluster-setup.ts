// What the fresh control plane gets before it is handed over: the Flux CRDs, and fake nodes that kwok
// manages — GPU nodes (allocatable nvidia.com/gpu, labelled nvidia.com/gpu.product, tainted like real
// GPU pools) and one large CPU node.
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1Node,
} from '@kubernetes/client-node';
import { fluxCrdFiles } from './flux-crds';
import { FAKE_NODE_ANNOTATION } from './kwok-config';
import { progress } from './progress';

export interface FakeNode {
  name: string;
  gpuProduct?: string;
  gpus?: number;
}

export const FAKE_NODES: FakeNode[] = [
  { name: 'kwok-cpu-0' },
  { name: 'kwok-a100-0', gpuProduct: 'A100-80GB', gpus: 8 },
  { name: 'kwok-a100-1', gpuProduct: 'A100-80GB', gpus: 8 },
  { name: 'kwok-h100-0', gpuProduct: 'H100-80GB', gpus: 8 },
];

export function kubeConfigFrom(yaml: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(yaml);
  return config;
}

function nodeObject(node: FakeNode): V1Node {
  const resources: Record<string, string> = { cpu: '1000', memory: '8Ti', pods: '5000', 'ephemeral-storage': '100Ti' };
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    type: 'kwok',
  };
  if (node.gpus) {
    resources['nvidia.com/gpu'] = String(node.gpus);
    labels['nvidia.com/gpu.product'] = node.gpuProduct ?? 'unknown';
    labels['nvidia.com/gpu.count'] = String(node.gpus);
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels, annotations: { [FAKE_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: node.gpus ? { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] } : {},
    // Nodes keep the status they are created with; kwok's node-initialize stage keeps allocatable/capacity.
    status: { allocatable: resources, capacity: resources },
  };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Server-side applies the Flux CRDs and waits until they are established. */
export async function installFluxCrds(config: KubeConfig): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(config);
  const crds = config.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const file of fluxCrdFiles()) {
    for (const crd of loadAllYaml(readFileSync(file, 'utf8')) as Array<{ metadata: { name: string } }>) {
      await objects.patch(crd as never, undefined, undefined, 'testbed', true, PatchStrategy.ServerSideApply);
      names.push(crd.metadata.name);
    }
  }
  await until(
    'Flux CRDs established',
    async () => {
      for (const name of names) {
        const crd = await crds.readCustomResourceDefinition({ name });
        if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      }
      return true;
    },
    60_000,
  );
  progress('up', `Flux CRDs established: ${names.join(', ')}`);
}

/** Creates the fake nodes (kept if they exist) and waits until kwok reports them Ready. */
export async function createFakeNodes(config: KubeConfig, nodes = FAKE_NODES): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  for (const node of nodes) {
    await core.createNode({ body: nodeObject(node) }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }
  await until(
    'fake nodes Ready',
    async () => {
      const list = await core.listNode({ labelSelector: 'type=kwok' });
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length >= nodes.length;
    },
    60_000,
  );
  const gpus = nodes.filter((n) => n.gpus).map((n) => `${n.name} (${n.gpus}× ${n.gpuProduct})`);
  progress('up', `${nodes.length} kwok nodes Ready: ${gpus.join(', ')} and ${nodes.length - gpus.length} CPU node(s)`);
}

/**
 * No storage provisioner can run without kubelets, so claims bind to a pool of pre-provisioned volumes
 * (hostPath, never mounted: kwok runs no containers) that the controller-manager's binder hands out.
 * Retained after release, so each claim uses one up; `up` makes a fresh pool.
 */
export async function createVolumePool(config: KubeConfig, count = VOLUME_POOL_SIZE): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  const create = (i: number) => {
    const name = `testbed-pv-${String(i).padStart(3, '0')}`;
    return core
      .createPersistentVolume({
        body: {
          metadata: { name, labels: { type: 'kwok' } },
          spec: {
            capacity: { storage: '10Ti' },
            accessModes: ['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: '',
            hostPath: { path: `/tmp/testbed-volumes/${name}` },
          },
        },
      })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code !== 409) throw err;
      });
  };
  for (let first = 0; first < count; first += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - first) }, (_, k) => create(first + k)));
  }
  progress('up', `${count} pre-provisioned volumes (10Ti each) for claims without a storage class`);
}

export const VOLUME_POOL_SIZE = 200;

/** The default ServiceAccount must exist before pods can be created in a namespace; the controller-manager makes it. */
export async function waitForDefaultServiceAccount(config: KubeConfig, namespace = 'default'): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  await until(
    `service account default in ${namespace}`,
    async () => Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace })),
    60_000,
  );
}
