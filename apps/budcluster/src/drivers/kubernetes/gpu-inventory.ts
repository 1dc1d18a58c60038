import { isRecord } from './managed-object';

export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** GPUs on nodes the NVIDIA feature discovery has not labelled yet. */
export const UNKNOWN_GPU_PRODUCT = 'unknown';

/**
 * Allocatable GPUs per product (e.g. `{ "NVIDIA-A100-SXM4-80GB": 16 }`) from node objects.
 * Cordoned nodes are left out: they take no new work.
 */
export function gpuInventoryFromNodes(nodes: readonly unknown[]): Record<string, number> {
  // The cluster names the products: a label like `constructor` must not reach Object.prototype's members.
  const inventory = new Map<string, number>();
  for (const node of nodes) {
    if (!isRecord(node) || !isRecord(node.metadata) || !isRecord(node.status)) continue;
    if (isRecord(node.spec) && node.spec.unschedulable === true) continue;
    const allocatable = isRecord(node.status.allocatable) ? node.status.allocatable[GPU_RESOURCE] : undefined;
    const count = gpuCount(allocatable);
    if (count === 0) continue;
    const labels = isRecord(node.metadata.labels) ? node.metadata.labels : {};
    const product = labels[GPU_PRODUCT_LABEL];
    const named =
      typeof product === 'string' && PRODUCT_NAME.test(product) && !(product in Object.prototype) ? product : UNKNOWN_GPU_PRODUCT;
    const key = inventory.has(named) || inventory.size < MAX_PRODUCTS ? named : UNKNOWN_GPU_PRODUCT;
    inventory.set(key, Math.min(MAX_GPUS_PER_PRODUCT, (inventory.get(key) ?? 0) + count));
  }
  return Object.fromEntries(inventory);
}

/** What a GPU product may be called (the cluster contract's GPU type); anything else counts as `unknown`. */
const PRODUCT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Bounds a hostile or broken cluster: no node has more GPUs, no inventory more products or GPUs of one. */
const MAX_GPUS_PER_NODE = 64;
const MAX_PRODUCTS = 64;
const MAX_GPUS_PER_PRODUCT = 100_000;

// Extended resources are whole numbers; the API serves quantities as strings ("8").
function gpuCount(quantity: unknown): number {
  const value = typeof quantity === 'number' ? quantity : typeof quantity === 'string' && /^\d{1,9}$/.test(quantity) ? Number(quantity) : 0;
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, MAX_GPUS_PER_NODE) : 0;
}
