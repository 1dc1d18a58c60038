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
  const inventory: Record<string, number> = {};
  for (const node of nodes) {
    if (!isRecord(node) || !isRecord(node.metadata) || !isRecord(node.status)) continue;
    if (isRecord(node.spec) && node.spec.unschedulable === true) continue;
    const allocatable = isRecord(node.status.allocatable) ? node.status.allocatable[GPU_RESOURCE] : undefined;
    const count = gpuCount(allocatable);
    if (count === 0) continue;
    const labels = isRecord(node.metadata.labels) ? node.metadata.labels : {};
    const product = labels[GPU_PRODUCT_LABEL];
    const key = typeof product === 'string' && product !== '' ? product : UNKNOWN_GPU_PRODUCT;
    inventory[key] = (inventory[key] ?? 0) + count;
  }
  return inventory;
}

// Extended resources are whole numbers; the API serves quantities as strings ("8").
function gpuCount(quantity: unknown): number {
  const value = typeof quantity === 'number' ? quantity : typeof quantity === 'string' && /^\d+$/.test(quantity) ? Number(quantity) : 0;
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
