import { ManualClock, pollUntil } from '@bud/testing';
import { KubernetesDriver } from './kubernetes-driver';
import { closedPort, kubeconfigYaml, makeJob } from '../../../test/support/kubernetes-fixtures';
import type { DriverLogger } from './watch-event-handler';

// No API server exists here: these cover what can be checked against a refused connection.
describe('KubernetesDriver without a reachable cluster', () => {
  let server: string;
  const logger = (): jest.Mocked<DriverLogger> => ({ debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() });

  beforeAll(async () => {
    server = `https://127.0.0.1:${await closedPort()}`;
  });

  it('refuses a kubeconfig that names no cluster', () => {
    expect(() => new KubernetesDriver('apiVersion: v1\nkind: Config\n', { clusterId: 'c1', clock: new ManualClock() })).toThrow(
      /names no current cluster/,
    );
  });

  it('counts every request, retrying Kueue discovery after a failure instead of caching it', async () => {
    const driver = new KubernetesDriver(kubeconfigYaml(server), { clusterId: 'c1', clock: new ManualClock(), logger: logger() });
    expect(driver.apiCalls).toBe(0);
    await expect(driver.apply(makeJob())).rejects.toThrow(/ECONNREFUSED/);
    expect(driver.apiCalls).toBe(1);
    await expect(driver.remove(makeJob())).rejects.toThrow(/ECONNREFUSED/);
    expect(driver.apiCalls).toBe(2);
  });

  it('fails a reconcile whose list cannot be made, without reporting anything', async () => {
    const sink = jest.fn(async () => undefined);
    const driver = new KubernetesDriver(kubeconfigYaml(server), { clusterId: 'c1', clock: new ManualClock(), logger: logger() });
    await driver.start(sink);
    await expect(driver.reconcile([makeJob({ status: 'running' })])).rejects.toThrow(/ECONNREFUSED/);
    await driver.stop();
    expect(sink).not.toHaveBeenCalled();
  });

  it('restarts each failed informer with growing backoff, and stops cleanly', async () => {
    const log = logger();
    const driver = new KubernetesDriver(kubeconfigYaml(server), { clusterId: 'c1', clock: new ManualClock(), logger: log });
    await driver.start(async () => undefined);
    const restarts = () =>
      log.warn.mock.calls
        .filter(([message]) => message === 'informer stopped; restarting it')
        .map(([, fields]) => `${String(fields?.kind)}@${String(fields?.retry_in_ms)}`);
    const expected = ['Deployment', 'Job', 'HelmRelease'].flatMap((kind) => [`${kind}@1000`, `${kind}@2000`]);
    await pollUntil(restarts, (seen) => expected.every((entry) => seen.includes(entry)), {
      what: 'two restarts per informer',
      timeoutMs: 5_000,
    });
    const calls = driver.apiCalls;
    expect(calls).toBeGreaterThanOrEqual(6);
    await driver.stop();
    expect(driver.apiCalls).toBe(calls);
  });
});
