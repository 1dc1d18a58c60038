// Issue 11's reachability proofs on the test bed (docs/design.md#cluster-status): with its API server stopped the
// cluster turns `unreachable` (the last error in status_message) while its jobs keep their status and new jobs are
// refused with 503; started again, it turns `ready`. budcluster runs in-process with a fast probe and resync.
import { randomUUID } from 'node:crypto';
import { pollUntil } from '@bud/testing';
import { containerJob, startHarness, type Harness } from '../../apps/budcluster/test/support/harness';
import { start, stop } from '../../scripts/testbed/control-plane';
import { acquireTestbed, TESTBED_BUDCLUSTER_ENV, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 200 };
const PROBE_MS = 250;
const RESYNC_MS = 1000;

interface Cluster {
  status: string;
  status_message: string | null;
}
interface Job {
  id: string;
  status: string;
  version: number;
}

describe('cluster status from its API server', () => {
  let testbed: Testbed;
  let h: Harness;
  let clusterId: string;
  let apiserverStopped = false;

  beforeAll(async () => {
    if (process.env.TESTBED_KUBECONFIG) throw new Error('this suite stops the API server: it needs a test bed it can control');
    testbed = await acquireTestbed();
    h = await startHarness({
      ...TESTBED_BUDCLUSTER_ENV,
      CLUSTER_PROBE_MS: String(PROBE_MS),
      K8S_RESYNC_MS: String(RESYNC_MS),
      LOG_LEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'error',
    });
    const created = await h.http<{ id: string }>('POST', '/api/v1/clusters', {
      body: { name: `testbed-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: testbed.kubeconfig },
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
  }, 60 * 60_000);

  afterAll(async () => {
    // Never leave the shared test bed without its API server.
    if (apiserverStopped) await start('kube-apiserver');
    await h?.stop();
    await testbed?.release();
  }, 180_000);

  const readCluster = async () => (await h.http<Cluster>('GET', `/api/v1/clusters/${clusterId}`)).body;
  const readJob = async (id: string) => (await h.http<Job>('GET', `/api/v1/clusters/${clusterId}/jobs/${id}`)).body;

  it('turns unreachable when the API server stops, keeps jobs as they were and refuses new ones, and turns ready when it is back', async () => {
    expect(await pollUntil(readCluster, (c) => c.status === 'ready', { ...SLOW, what: 'cluster ready' })).toMatchObject({
      status_message: null,
    });
    const created = await h.http<Job>('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(created.status).toBe(201);
    const running = await pollUntil(
      () => readJob(created.body.id),
      (j) => j.status === 'running' || j.status === 'failed',
      { ...SLOW, what: 'job running' },
    );
    expect(running.status).toBe('running');

    try {
      apiserverStopped = true;
      await stop('kube-apiserver');
      const down = await pollUntil(readCluster, (c) => c.status === 'unreachable', { ...SLOW, what: 'cluster unreachable' });
      expect(down.status_message).toMatch(/ECONNREFUSED|connect|fetch failed|did not answer/i);

      const refused = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        status_code: 503,
        error: 'upstream_unavailable',
        message: expect.stringMatching(/unreachable/),
      });

      // Several resyncs run while the server is down (K8S_RESYNC_MS = 1 s); the job must come through them unchanged.
      const watchUntil = Date.now() + 3 * RESYNC_MS;
      const meanwhile = await pollUntil(
        () => readJob(created.body.id),
        (j) => j.status !== 'running' || j.version !== running.version || Date.now() > watchUntil,
        { ...SLOW, what: 'resyncs while unreachable' },
      );
      expect(meanwhile).toMatchObject({ status: 'running', version: running.version });
      expect((await readCluster()).status).toBe('unreachable');
    } finally {
      await start('kube-apiserver');
      apiserverStopped = false;
    }

    const back = await pollUntil(readCluster, (c) => c.status === 'ready', { ...SLOW, what: 'cluster ready again' });
    expect(back.status_message).toBeNull();
    expect(await readJob(created.body.id)).toMatchObject({ status: 'running', version: running.version });
    const again = await h.http('POST', `/api/v1/clusters/${clusterId}/jobs`, { body: containerJob() });
    expect(again.status).toBe(201);
  });
});
