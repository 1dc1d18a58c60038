/** `kill`: SIGKILL the process. `error`: throw, so the step's transaction rolls back. */
const faultKinds = ['kill', 'error'] as const;
type FaultKind = (typeof faultKinds)[number];

export interface FaultSpec<P extends string> {
  point: P;
  nth: number;
  kind: FaultKind;
}

export class InjectedFault extends Error {}

/** Reads `<point>[:<n>[:<kind>]]` against the service's named points; an unknown point, pass or kind is refused. */
export function parseFaultSpec<P extends string>(points: readonly P[], value: string | undefined): FaultSpec<P> | undefined {
  if (!value) return undefined;
  const [point = '', nth = '1', kind = 'kill'] = value.split(':');
  if (!(points as readonly string[]).includes(point)) throw new Error(`CRASH_AT names an unknown point '${point}'`);
  if (!/^[1-9]\d*$/.test(nth)) throw new Error(`CRASH_AT pass '${nth}' is not a positive integer`);
  if (!(faultKinds as readonly string[]).includes(kind)) throw new Error(`CRASH_AT kind '${kind}' is not one of ${faultKinds.join(', ')}`);
  return { point: point as P, nth: Number(nth), kind: kind as FaultKind };
}

/**
 * Fault injection for crash-safety tests: with `CRASH_AT=<point>[:<n>[:<kind>]]` the n-th pass through that point
 * (default the first) SIGKILLs the process — no cleanup, no flush, exactly like a crash — or, with kind `error`,
 * fails that one pass with an exception. Inert otherwise. Each service subclasses it with its own named points.
 */
export class FaultInjector<P extends string> {
  private readonly seen = new Map<P, number>();

  constructor(private readonly spec?: FaultSpec<P>) {}

  /** `detail` names what was being done (e.g. the event id), for the test that reads the log. */
  reached(point: P, detail?: string): void {
    if (this.spec?.point !== point) return;
    const count = (this.seen.get(point) ?? 0) + 1;
    this.seen.set(point, count);
    if (count !== this.spec.nth) return;
    const what = detail ? ` (${detail})` : '';
    if (this.spec.kind === 'error') {
      process.stderr.write(`crash point ${point} reached${what}: failing this pass\n`);
      throw new InjectedFault(`fault injected at ${point}${what}`);
    }
    process.stderr.write(`crash point ${point} reached${what}: killing the process\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
