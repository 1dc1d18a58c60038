/** Kueue's resource names for what a workload asks of a flavor. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The flavor of CPU and memory (docs/design.md#quotas). */
export const DEFAULT_FLAVOR = 'default';

/** The ResourceFlavor of a GPU product: `gpu-<product lowercased>`, anything but [a-z0-9-] as `-` (docs/design.md#quotas). */
export function gpuFlavorName(product: string): string {
  return `gpu-${product.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** How Kueue prints a quantity in its messages: whole cores or millicores, memory in the largest exact binary unit. */
export function quantityString(resource: string, amount: number): string {
  if (resource === 'cpu') return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  if (resource === 'memory') {
    for (const [unit, size] of [
      ['Ti', 2 ** 40],
      ['Gi', 2 ** 30],
      ['Mi', 2 ** 20],
      ['Ki', 2 ** 10],
    ] as const)
      if (amount !== 0 && amount % size === 0) return `${amount / size}${unit}`;
  }
  return String(amount);
}
