import { CrashPoints, InjectedFault } from './crash-points';

describe('CrashPoints (CRASH_AT)', () => {
  it('is inert without a spec and at other points', () => {
    expect(() => CrashPoints.parse(undefined).reached('event.before-commit')).not.toThrow();
    expect(() => CrashPoints.parse('event.after-commit:1:error').reached('event.before-commit')).not.toThrow();
  });

  it('fails exactly the n-th pass in error mode, naming what was being done', () => {
    const points = CrashPoints.parse('event.before-commit:2:error');
    expect(() => points.reached('event.before-commit', 'event a')).not.toThrow();
    expect(() => points.reached('event.before-commit', 'event b')).toThrow(
      new InjectedFault('fault injected at event.before-commit (event b)'),
    );
    expect(() => points.reached('event.before-commit', 'event c')).not.toThrow();
  });

  it.each([
    ['nowhere', "unknown point 'nowhere'"],
    ['event.before-commit:0', "pass '0' is not a positive integer"],
    ['event.before-commit:x', "pass 'x' is not a positive integer"],
    ['event.before-commit:1:explode', "kind 'explode' is not one of kill, error"],
  ])('refuses %s', (spec, message) => {
    expect(() => CrashPoints.parse(spec)).toThrow(message);
  });
});
