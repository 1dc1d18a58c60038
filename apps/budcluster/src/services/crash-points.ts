import { FaultInjector, parseFaultSpec } from '@bud/ports';

export { InjectedFault } from '@bud/ports';

/** Named steps where a crash must lose nothing; tests fail or kill the process at each (docs/design.md#metering). */
export const crashPoints = ['meter.after-ledger-insert', 'meter.after-rollup', 'meter.before-commit'] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** budcluster's fault injection (`CRASH_AT`), a class of its own so the services receive it by type. */
export class CrashPoints extends FaultInjector<CrashPoint> {
  static parse(value: string | undefined): CrashPoints {
    return new CrashPoints(parseFaultSpec(crashPoints, value));
  }
}
