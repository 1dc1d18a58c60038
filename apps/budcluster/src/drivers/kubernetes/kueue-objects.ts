import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { priorityClasses, priorityValues } from '@bud/contracts';
import {
  KUEUE_LOCAL_QUEUE,
  kueuePriorityClassName,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TENANT_ID_LABEL,
  toLabelValue,
} from '../../domain/manifests';
import { type ClusterQuotas, effectiveQuota, type ResourceQuota, type TenantQuota } from '../../domain/quota-model';

/** The Kueue objects budcluster renders per cluster (docs/design.md#quotas, "On Kubernetes"). */
export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
/** The LocalQueue of every managed namespace; a job's objects name it in `kueue.x-k8s.io/queue-name`. */
export const LOCAL_QUEUE_NAME = KUEUE_LOCAL_QUEUE;
/** Holds the capacity no tenant's nominal quota claims, and only lends it (it admits no work). */
export const POOL_QUEUE_NAME = 'bud-pool';
/** The flavor of CPU and memory. */
export const DEFAULT_FLAVOR = 'default';
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
/**
 * CPU and memory without a quota are not limited: Kueue must still cover them (every pod asks for them), so they get a
 * nominal quota no cluster reaches.
 */
export const UNLIMITED_CPU = '1000000';
export const UNLIMITED_MEMORY = '1000Ti';
/** Kueue's own selector that matches no namespace: the pool admits nothing. */
const NO_NAMESPACE = { matchExpressions: [{ key: MANAGED_BY_LABEL, operator: 'In', values: ['bud-pool-admits-nothing'] }] };
const OWNED = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

/** 12 hex characters naming an id: a UUID's first 12 digits, else those of its sha256. */
export function shortHex(id: string): string {
  const compact = id.toLowerCase().replace(/-/g, '');
  if (/^[0-9a-f]{12,}$/.test(compact)) return compact.slice(0, 12);
  return createHash('sha256').update(id).digest('hex').slice(0, 12);
}

export function cohortName(clusterId: string): string {
  return `bud-${shortHex(clusterId)}`;
}

export function tenantQueueName(tenantId: string): string {
  return `bud-${shortHex(tenantId)}`;
}

/** `gpu-<product lowercased>`, anything but [a-z0-9-] as `-`. */
export function gpuFlavorName(product: string): string {
  return `gpu-${product.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

export const priorityClassName = kueuePriorityClassName;

export interface KueueInput {
  clusterId: string;
  /** Allocatable GPUs per product (the cluster's gpu_inventory). */
  inventory: Record<string, number>;
  quotas: ClusterQuotas;
  /** Tenants with work or a namespace on the cluster (tenants with their own quota are added). */
  tenants: readonly string[];
}

/**
 * Every cluster-scoped Kueue object of a cluster, in apply order: flavors and priority classes before the
 * ClusterQueues that name them. Pure: the same input renders the same objects.
 */
export function renderKueueObjects(input: KueueInput): KubernetesObject[] {
  const products = productsOf(input);
  const tenants = [...new Set([...input.tenants, ...input.quotas.tenants.flatMap((q) => (q.tenantId ? [q.tenantId] : []))])].sort();
  const quotas = tenants.map((tenantId) => ({ tenantId, quota: effectiveQuota(input.quotas, tenantId) }));
  const cohort = cohortName(input.clusterId);

  const claimed: Record<string, number> = {};
  for (const { quota } of quotas) {
    for (const product of products) claimed[product] = (claimed[product] ?? 0) + gpuQuota(quota, product).nominal;
  }
  const pool: Record<string, number> = {};
  for (const product of products) pool[product] = Math.max(0, (input.inventory[product] ?? 0) - (claimed[product] ?? 0));

  return [
    flavor(DEFAULT_FLAVOR, {}),
    ...products.map((product) => flavor(gpuFlavorName(product), { [GPU_PRODUCT_LABEL]: product })),
    ...priorityClasses.map(workloadPriorityClass),
    poolQueue(cohort, products, pool),
    ...quotas.map(({ tenantId, quota }) => tenantQueue(tenantId, quota, cohort, products)),
  ];
}

/** The LocalQueue `bud` of a managed namespace, feeding its tenant's ClusterQueue. */
export function localQueue(namespace: string, tenantId: string): KubernetesObject {
  return {
    apiVersion: KUEUE_API_VERSION,
    kind: 'LocalQueue',
    metadata: { name: LOCAL_QUEUE_NAME, namespace, labels: { ...OWNED, [TENANT_ID_LABEL]: toLabelValue(tenantId) } },
    spec: { clusterQueue: tenantQueueName(tenantId) },
  } as KubernetesObject;
}

function productsOf(input: KueueInput): string[] {
  const named = [input.quotas.defaultQuota, ...input.quotas.tenants].flatMap((q) => Object.keys(q.gpus));
  return [...new Set([...Object.keys(input.inventory), ...named])].sort();
}

function gpuQuota(quota: TenantQuota, product: string): ResourceQuota {
  return quota.gpus[product] ?? { nominal: 0, borrowingLimit: quota.cohort ? null : 0 };
}

function flavor(name: string, nodeLabels: Record<string, string>): KubernetesObject {
  return {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ResourceFlavor',
    metadata: { name, labels: { ...OWNED } },
    spec: Object.keys(nodeLabels).length > 0 ? { nodeLabels } : {},
  } as KubernetesObject;
}

function workloadPriorityClass(priority: (typeof priorityClasses)[number]): KubernetesObject {
  return {
    apiVersion: KUEUE_API_VERSION,
    kind: 'WorkloadPriorityClass',
    metadata: { name: priorityClassName(priority), labels: { ...OWNED } },
    value: priorityValues[priority],
    description: `budcluster priority class ${priority}`,
  } as KubernetesObject;
}

interface QuotaEntry {
  name: string;
  nominalQuota: string;
  borrowingLimit?: string;
}

function entry(name: string, nominal: string, borrowingLimit?: string | null): QuotaEntry {
  return borrowingLimit === undefined || borrowingLimit === null
    ? { name, nominalQuota: nominal }
    : { name, nominalQuota: nominal, borrowingLimit };
}

/**
 * Two resource groups: CPU and memory on the `default` flavor (no node labels), GPUs on one flavor per product. A CPU
 * job then never lands on a GPU flavor, and a GPU job's node selector (its gpu_type) picks the matching flavor.
 */
function resourceGroups(products: string[], cpuMemory: QuotaEntry[], gpu: (product: string) => QuotaEntry): object[] {
  const groups: object[] = [{ coveredResources: ['cpu', 'memory'], flavors: [{ name: DEFAULT_FLAVOR, resources: cpuMemory }] }];
  if (products.length > 0) {
    groups.push({
      coveredResources: [GPU_RESOURCE],
      flavors: products.map((product) => ({ name: gpuFlavorName(product), resources: [gpu(product)] })),
    });
  }
  return groups;
}

function poolQueue(cohort: string, products: string[], pool: Record<string, number>): KubernetesObject {
  return {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ClusterQueue',
    metadata: { name: POOL_QUEUE_NAME, labels: { ...OWNED } },
    spec: {
      cohortName: cohort,
      namespaceSelector: NO_NAMESPACE,
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: resourceGroups(products, [entry('cpu', '0'), entry('memory', '0')], (product) =>
        entry(GPU_RESOURCE, String(pool[product] ?? 0)),
      ),
    },
  } as KubernetesObject;
}

function tenantQueue(tenantId: string, quota: TenantQuota, cohort: string, products: string[]): KubernetesObject {
  const cpu = quota.cpuMillis;
  const memory = quota.memoryBytes;
  const inCohort = quota.cohort;
  const limit = (q: ResourceQuota | null, unit: (n: number) => string): string | null | undefined =>
    // Outside the cohort there is nothing to borrow from; Kueue refuses a borrowing limit without a cohort.
    !inCohort || !q || q.borrowingLimit === null ? undefined : unit(q.borrowingLimit);
  const millis = (n: number) => `${n}m`;
  const bytes = (n: number) => String(n);
  const cpuMemory = [
    entry('cpu', cpu ? millis(cpu.nominal) : UNLIMITED_CPU, limit(cpu, millis)),
    entry('memory', memory ? bytes(memory.nominal) : UNLIMITED_MEMORY, limit(memory, bytes)),
  ];
  return {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ClusterQueue',
    metadata: { name: tenantQueueName(tenantId), labels: { ...OWNED, [TENANT_ID_LABEL]: toLabelValue(tenantId) } },
    spec: {
      ...(inCohort ? { cohortName: cohort } : {}),
      namespaceSelector: { matchLabels: { [TENANT_ID_LABEL]: toLabelValue(tenantId) } },
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: resourceGroups(products, cpuMemory, (product) => {
        const gpu = gpuQuota(quota, product);
        return entry(GPU_RESOURCE, String(gpu.nominal), limit(gpu, String));
      }),
      preemption: {
        withinClusterQueue: 'LowerPriority',
        reclaimWithinCohort: 'Any',
        borrowWithinCohort: { policy: 'Never' },
      },
      fairSharing: { weight: String(quota.weight) },
    },
  } as KubernetesObject;
}
