import { deploymentStatuses } from './deployment';
import type { DeploymentStatus } from './deployment';
import { componentRetryAllowed, deploymentActionOutcome, deploymentActionsAllowed, desiredStateShownBy } from './deployment-actions';

describe('what stop, start and delete do to a deployment as it is', () => {
  it.each([
    ['stop', 'running', 'running', 'change'],
    ['stop', 'running', 'deploying', 'change'],
    ['stop', 'running', 'failed', 'change'],
    ['stop', 'stopped', 'stopping', 'unchanged'],
    ['stop', 'stopped', 'stopped', 'unchanged'],
    ['stop', 'deleted', 'deleting', 'refused'],
    ['delete', 'running', 'running', 'change'],
    ['delete', 'stopped', 'stopping', 'change'],
    ['delete', 'deleted', 'deleting', 'unchanged'],
    ['start', 'stopped', 'stopped', 'change'],
    ['start', 'running', 'failed', 'change'],
    ['start', 'stopped', 'stopping', 'refused'],
    ['start', 'stopped', 'failed', 'refused'],
    ['start', 'running', 'running', 'refused'],
    ['start', 'running', 'deploying', 'refused'],
    ['start', 'deleted', 'stopped', 'refused'],
  ] as const)('%s while the deployment wants %s and is %s: %s', (action, desired, status, expected) => {
    expect(deploymentActionOutcome(action, { desired, status })).toBe(expected);
  });
});

describe('the actions a deployment offers, read from its status alone', () => {
  it.each([
    ['pending', { stop: true, start: false, delete: true }],
    ['deploying', { stop: true, start: false, delete: true }],
    ['running', { stop: true, start: false, delete: true }],
    ['degraded', { stop: true, start: false, delete: true }],
    ['failed', { stop: true, start: true, delete: true }],
    ['stopping', { stop: false, start: false, delete: true }],
    ['stopped', { stop: false, start: true, delete: true }],
    ['deleting', { stop: false, start: false, delete: false }],
  ] as const)('%s offers %j', (status, allowed) => {
    expect(deploymentActionsAllowed(status)).toEqual(allowed);
  });

  it.each([
    ['deleting', 'deleted'],
    ['stopping', 'stopped'],
    ['stopped', 'stopped'],
    ...deploymentStatuses.filter((s) => !['deleting', 'stopping', 'stopped'].includes(s)).map((s) => [s, 'running']),
  ])('a %s deployment shows that it wants to be %s', (status, desired) => {
    expect(desiredStateShownBy(status as DeploymentStatus)).toBe(desired);
  });

  it('follows the desired state when the caller knows it', () => {
    expect(deploymentActionsAllowed('failed', 'stopped')).toEqual({ stop: false, start: false, delete: true });
  });
});

describe('retrying a component', () => {
  it.each([
    ['failed', 'running', true],
    ['failed', 'stopped', false],
    ['failed', 'deleted', false],
    ['running', 'running', false],
    ['stopped', 'running', false],
  ] as const)('a %s component of a deployment that wants %s: %s', (component, desired, allowed) => {
    expect(componentRetryAllowed(component, desired)).toBe(allowed);
  });
});
