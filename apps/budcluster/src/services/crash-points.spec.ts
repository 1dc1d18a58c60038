import { CrashPoints, InjectedFault } from './crash-points';

describe('CrashPoints (CRASH_AT)', () => {
  it('is inert without a spec and at other points', () => {
    expect(() => CrashPoints.parse(undefined).reached('meter.before-commit')).not.toThrow();
    expect(() => CrashPoints.parse('meter.after-rollup:1:error').reached('meter.before-commit')).not.toThrow();
  });

  it('fails exactly the n-th pass in error mode, naming what was being done', () => {
    const points = CrashPoints.parse('meter.before-commit:2:error');
    expect(() => points.reached('meter.before-commit', 'chunk a')).not.toThrow();
    expect(() => points.reached('meter.before-commit', 'chunk b')).toThrow(
      new InjectedFault('fault injected at meter.before-commit (chunk b)'),
    );
    expect(() => points.reached('meter.before-commit', 'chunk c')).not.toThrow();
  });

  it.each([
    ['nowhere', "unknown point 'nowhere'"],
    ['meter.before-commit:0', "pass '0' is not a positive integer"],
    ['meter.before-commit:x', "pass 'x' is not a positive integer"],
    ['meter.before-commit:1:explode', "kind 'explode' is not one of kill, error"],
  ])('refuses %s', (spec, message) => {
    expect(() => CrashPoints.parse(spec)).toThrow(message);
  });
});
