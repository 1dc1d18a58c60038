/** Named steps where a crash must lose nothing; tests kill the process at each (brief §6.4). */
export const crashPoints = [
  'reconcile.lease-acquired',
  'reconcile.status-written',
  'create.before-request',
  'create.after-request',
  'create.after-record',
  'event.before-commit',
  'event.after-commit',
  'cancel.after-request',
  'delete-job.after-request',
  'delete-record.before',
  'start.after-commit',
  'stop.after-commit',
] as const;
export type CrashPoint = (typeof crashPoints)[number];

export const CRASH_POINTS = Symbol('CRASH_POINTS');

/**
 * Fault injection for crash-safety tests: with `CRASH_AT=<point>[:<n>]` the process SIGKILLs itself
 * the n-th time it reaches that point — no cleanup, no flush, exactly like a crash. Inert otherwise.
 */
export class CrashPoints {
  private readonly seen = new Map<CrashPoint, number>();

  constructor(private readonly spec?: { point: CrashPoint; nth: number }) {}

  static parse(value: string | undefined): CrashPoints {
    if (!value) return new CrashPoints();
    const [point, nth = '1'] = value.split(':');
    if (!(crashPoints as readonly string[]).includes(point ?? '')) throw new Error(`CRASH_AT names an unknown point '${point}'`);
    return new CrashPoints({ point: point as CrashPoint, nth: Number(nth) });
  }

  reached(point: CrashPoint): void {
    if (this.spec?.point !== point) return;
    const count = (this.seen.get(point) ?? 0) + 1;
    this.seen.set(point, count);
    if (count === this.spec.nth) {
      process.stderr.write(`crash point ${point} reached: killing the process\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  }
}
