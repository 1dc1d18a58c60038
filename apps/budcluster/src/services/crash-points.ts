/** Named steps where a crash must lose nothing; tests fail or kill the process at each (docs/design.md#metering). */
export const crashPoints = ['meter.after-ledger-insert', 'meter.after-rollup', 'meter.before-commit'] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** `kill`: SIGKILL the process. `error`: throw, so the step's transaction rolls back. */
const faultKinds = ['kill', 'error'] as const;
type FaultKind = (typeof faultKinds)[number];

export class InjectedFault extends Error {}

/**
 * Fault injection for crash-safety tests: with `CRASH_AT=<point>[:<n>[:<kind>]]` the n-th pass through that point
 * (default the first) SIGKILLs the process — no cleanup, exactly like a crash — or, with kind `error`, fails that one
 * pass with an exception. Inert otherwise.
 */
export class CrashPoints {
  private readonly seen = new Map<CrashPoint, number>();

  constructor(private readonly spec?: { point: CrashPoint; nth: number; kind: FaultKind }) {}

  static parse(value: string | undefined): CrashPoints {
    if (!value) return new CrashPoints();
    const [point, nth = '1', kind = 'kill'] = value.split(':');
    if (!(crashPoints as readonly string[]).includes(point ?? '')) throw new Error(`CRASH_AT names an unknown point '${point}'`);
    if (!/^[1-9]\d*$/.test(nth)) throw new Error(`CRASH_AT pass '${nth}' is not a positive integer`);
    if (!(faultKinds as readonly string[]).includes(kind))
      throw new Error(`CRASH_AT kind '${kind}' is not one of ${faultKinds.join(', ')}`);
    return new CrashPoints({ point: point as CrashPoint, nth: Number(nth), kind: kind as FaultKind });
  }

  /** `detail` names what was being done, for the test that reads the log. */
  reached(point: CrashPoint, detail?: string): void {
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
