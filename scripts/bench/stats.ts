export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  baseline?: { name: string; median: number };
  ratio?: number;
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function summarize(name: string, unit: string, samples: number[], extra: Partial<BenchResult> = {}): BenchResult {
  return {
    name,
    unit,
    median: round(median(samples)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    runs: samples.length,
    ...extra,
  };
}

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export async function repeat(runs: number, once: (run: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(await once(run));
  return samples;
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
