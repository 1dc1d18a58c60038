/**
 * Memory per GPU, in the vendor's GB (10^9 bytes; the cards hold a little more, so the check errs on the
 * safe side), for the GPU type names clusters report. A type missing here is not memory-checked (the plan
 * warns). Sources: NVIDIA's product pages and datasheets.
 */
export const GPU_MEMORY_GB: ReadonlyMap<string, { gb: number; source: string }> = new Map([
  // A100 datasheet: "GPU Memory 40GB HBM2 / 80GB HBM2e".
  [
    'A100-40GB',
    {
      gb: 40,
      source: 'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    },
  ],
  [
    'A100-80GB',
    {
      gb: 80,
      source: 'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf',
    },
  ],
  // H100 SXM and PCIe: "GPU memory 80GB".
  ['H100-80GB', { gb: 80, source: 'https://www.nvidia.com/en-us/data-center/h100/' }],
  // L4: "GPU memory 24GB".
  ['L4', { gb: 24, source: 'https://www.nvidia.com/en-us/data-center/l4/' }],
  // L40S: "GPU memory 48GB GDDR6 with ECC".
  ['L40S', { gb: 48, source: 'https://www.nvidia.com/en-us/data-center/l40s/' }],
]);

export const GB = 1e9;

export function gpuMemoryBytes(gpuType: string): number | undefined {
  const known = GPU_MEMORY_GB.get(gpuType);
  return known ? known.gb * GB : undefined;
}
