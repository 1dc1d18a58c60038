// Two budcluster replicas (OS processes, one PostgreSQL database) and one test-bed cluster: only the
// cluster's owner talks to its API server, jobs created through either replica run, and when the owner
// is killed with SIGKILL the other takes the cluster over without deleting or failing what runs.
// `*.server.test.ts`: needs TEST_DATABASE_URL (replicas cannot share the embedded engine).
import { randomUUID } from 'node:crypto';
import { signToken } from '@bud/auth';
import { Replica, TEST_SERVICE_TOKEN_SECRET, createTestDatabase, freePort, logged, metricValue, pollUntil } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { containerJob } from '../../apps/budcluster/test/support/harness';
import { acquireTestbed, type Testbed } from './support/testbed';

const SECRET = 'cluster-replicas-secret-of-32-characters!';
const CHECK_MS = 1000;
const SLOW = { timeoutMs: 90_000, intervalMs: 250 };

interface Job {
  id: string;
  status: string;
  status_reason: string | null;
  k8s_namespace: string;
}

describe('two budcluster replicas share one test-bed cluster', () => {
  let testbed: Testbed;
  let db: TestDatabase;
  const replicas: Replica[] = [];
  let token = '';
  let clusterId = '';

  beforeAll(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error('replicas need a PostgreSQL server: set TEST_DATABASE_URL');
    testbed = await acquireTestbed();
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const replica = new Replica(`budcluster-${i}`, 'dist/apps/budcluster/src/main.js', await freePort(), () => ({
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '5',
        AUTH_JWT_SECRET: SECRET,
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        SECRETS_KEY: 'k'.repeat(64),
        EVENT_SUBSCRIBER_URLS: 'http://127.0.0.1:9',
        // The test bed's API server listens on loopback.
        CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: 'true',
        CLUSTER_OWNERSHIP_CHECK_MS: String(CHECK_MS),
        // Frequent resyncs: every one lists the cluster and would sweep orphans, so a second sweeper would show.
        K8S_RESYNC_MS: '2000',
        K8S_ORPHAN_GRACE_MS: '45000',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        DATA_DIR: `/tmp/bud-test-${randomUUID()}`,
      }));
      await replica.start();
      replicas.push(replica);
    }
    token = await signToken(SECRET, { sub: randomUUID(), tenant_id: randomUUID(), scopes: ['job:view', 'job:manage', 'cluster:manage'] });
    const created = await call<{ id: string }>(replicas[0], 'POST', '/api/v1/clusters', {
      name: `replicas-${randomUUID().slice(0, 8)}`,
      type: 'kubernetes',
      kubeconfig: testbed.kubeconfig,
    });
    if (created.status !== 201) throw new Error(`cluster registration failed: ${JSON.stringify(created.body)}`);
    clusterId = created.body.id;
  }, 60 * 60_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.process?.stop();
    await db?.drop();
    await testbed?.release();
  }, 120_000);

  async function call<T = any>(replica: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${replica.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const metrics = async (replica: Replica) => (await fetch(`${replica.url}/metrics`)).text();
  const owns = async (replica: Replica) => metricValue(await metrics(replica), 'bud_cluster_owned', { cluster_id: clusterId }) === 1;
  const apiRequests = async (replica: Replica) => metricValue(await metrics(replica), 'bud_kubernetes_api_requests_total') ?? 0;
  const createJob = async (replica: Replica): Promise<Job> => {
    const created = await call<Job>(replica, 'POST', `/api/v1/clusters/${clusterId}/jobs`, containerJob());
    if (created.status !== 201) throw new Error(`job create through ${replica.name} failed: ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const statusOf = async (job: Job) =>
    (
      await call<Job>(
        replicas.find((r) => !r.process.exited)!,
        'GET',
        `/api/v1/clusters/${clusterId}/jobs/${job.id}`,
      )
    ).body;
  const allRunning = (jobs: Job[]) =>
    pollUntil(
      () => Promise.all(jobs.map(statusOf)),
      (seen) => seen.every((job) => job.status === 'running'),
      { ...SLOW, what: 'jobs running' },
    );
  const deploymentsOf = async (jobs: Job[]) => {
    const found = await Promise.all(
      jobs.map(
        async (job) =>
          (await testbed.kube.apps.listNamespacedDeployment({ namespace: job.k8s_namespace, labelSelector: `bud.ai/job-id=${job.id}` }))
            .items,
      ),
    );
    return found.flat();
  };

  it('runs jobs created through either replica, with only the owner talking to the API server, and hands over when the owner is killed', async () => {
    const [owner, other] = (await owns(replicas[0])) ? [replicas[0], replicas[1]] : [replicas[1], replicas[0]];
    expect(await owns(owner)).toBe(true);
    expect(await owns(other)).toBe(false);

    const before: Job[] = [];
    for (let i = 0; i < 6; i++) before.push(await createJob(i % 2 === 0 ? owner : other));
    await allRunning(before);
    // The replica that does not own the cluster made no request to its API server: no second apply, watch or sweep.
    expect(await apiRequests(other)).toBe(0);
    expect(await apiRequests(owner)).toBeGreaterThan(0);

    const killedAt = Date.now();
    await owner.process.kill();
    await pollUntil(() => owns(other), Boolean, { what: 'the survivor owns the cluster', timeoutMs: 10 * CHECK_MS });
    console.log(`cluster handover after kill -9 of its owner: ${Date.now() - killedAt} ms (CLUSTER_OWNERSHIP_CHECK_MS=${CHECK_MS})`);

    // After the kill: a job through the survivor, and one through the old owner restarted (now not the owner).
    const afterKill = [await createJob(other)];
    await owner.start();
    expect(await owns(owner)).toBe(false);
    afterKill.push(await createJob(owner));
    await allRunning([...before, ...afterKill]);
    expect(await owns(other)).toBe(true);
    expect(await owns(owner)).toBe(false);
    expect(await apiRequests(owner)).toBe(0);

    // Nothing was taken for missing or orphaned: every job still runs on its own objects.
    const jobs = [...before, ...afterKill];
    const finalStatuses = await Promise.all(jobs.map(statusOf));
    expect(finalStatuses.filter((job) => job.status !== 'running')).toEqual([]);
    expect((await deploymentsOf(jobs)).map((d) => d.metadata?.labels?.['bud.ai/job-id']).sort()).toEqual(jobs.map((job) => job.id).sort());
    const ours = new Set(jobs.map((job) => job.id));
    expect(logged(replicas, 'deleting orphaned object').filter((entry) => ours.has(String(entry.job_id)))).toEqual([]);
    expect(logged(replicas, 'owning cluster').filter((entry) => entry.cluster_id === clusterId)).toHaveLength(2);
  }, 300_000);
});
