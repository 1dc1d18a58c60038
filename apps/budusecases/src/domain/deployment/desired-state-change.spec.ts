import type { DeploymentNow } from './desired-state-change';
import { deleteVerdict, startVerdict, stopVerdict } from './desired-state-change';

const now = (desired: DeploymentNow['desired'], status: DeploymentNow['status']): DeploymentNow => ({ desired, status });

describe('what stop, delete and start do to a deployment as it is', () => {
  it.each([
    ['stop', 'running', 'running', 'change'],
    ['stop', 'running', 'deploying', 'change'],
    ['stop', 'stopped', 'stopping', 'unchanged'],
    ['stop', 'stopped', 'stopped', 'unchanged'],
    ['stop', 'deleted', 'deleting', 'conflict'],
    ['delete', 'running', 'running', 'change'],
    ['delete', 'stopped', 'stopping', 'change'],
    ['delete', 'deleted', 'deleting', 'unchanged'],
    ['start', 'stopped', 'stopped', 'change'],
    ['start', 'running', 'failed', 'change'],
    ['start', 'stopped', 'stopping', 'conflict'],
    ['start', 'stopped', 'failed', 'conflict'],
    ['start', 'running', 'running', 'conflict'],
    ['start', 'deleted', 'stopped', 'conflict'],
  ] as const)('%s while the deployment wants %s and is %s: %s', (action, desired, status, expected) => {
    const verdictOf = { stop: stopVerdict, delete: deleteVerdict, start: startVerdict }[action];
    expect(verdictOf(now(desired, status)).kind).toBe(expected);
  });

  it('says why a start is refused', () => {
    expect(startVerdict(now('deleted', 'deleting'))).toEqual({
      kind: 'conflict',
      message: 'only stopped or failed deployments can be started; this one is being deleted',
    });
    expect(startVerdict(now('stopped', 'stopping'))).toEqual({
      kind: 'conflict',
      message: 'only stopped or failed deployments can be started; this one is stopping',
    });
  });
});
