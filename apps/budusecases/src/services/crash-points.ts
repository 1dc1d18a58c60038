import { FaultInjector, parseFaultSpec } from '@bud/ports';

export { InjectedFault } from '@bud/ports';

/** Named steps where a crash must lose nothing; tests kill the process at each (docs/design.md#deployments). */
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

/** budusecases' fault injection (`CRASH_AT`), a class of its own so the services receive it by type. */
export class CrashPoints extends FaultInjector<CrashPoint> {
  static parse(value: string | undefined): CrashPoints {
    return new CrashPoints(parseFaultSpec(crashPoints, value));
  }
}
