import { readFileSync } from 'node:fs';

/** Resident memory (VmRSS) of a process and every process below it, in MB; 0 for one that has exited. */
export function residentTreeMb(pid: number): number {
  return (residentKb(pid) + childPids(pid).reduce((sum, child) => sum + residentTreeMb(child) * 1024, 0)) / 1024;
}

function residentKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Samples `read` until it settles: the last `window` samples lie within `toleranceMb` of each other
 * (timers and lazy compilation after start-up have run), or `timeoutMs` passes. Returns the last sample.
 */
export async function settledMb(
  read: () => number,
  { intervalMs = 500, window = 4, toleranceMb = 2, timeoutMs = 20_000 } = {},
): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    samples.push(read());
    const recent = samples.slice(-window);
    if ((recent.length === window && Math.max(...recent) - Math.min(...recent) <= toleranceMb) || Date.now() > deadline)
      return samples[samples.length - 1];
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
