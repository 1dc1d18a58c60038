import { activeJobStatuses } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

const UPDATE_THEN_STOP_RUNS = 6;
const PARALLEL_CALLS = 30;

/** The two hangs of issue 16, against the real services: each run must end stopped or gone with no job left active. */
describe('stop and delete converge', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    clusterId = await fastCluster(h, h.tenantA);
  });
  afterAll(() => h.stop());

  const activeJobs = async (deploymentId: string) =>
    (
      (await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${deploymentId}&page_size=100`)).body
        .items as any[]
    ).filter((j) => activeJobStatuses.includes(j.status));

  /** What a stuck run looked like is in the timeout message: the deployment's and components' statuses and the active jobs. */
  const settledWithoutJobs = (deploymentId: string, settled: (d: { http: number; status?: string }) => boolean) =>
    pollUntil(
      async () => {
        const answer = await h.http('GET', `/api/v1/deployments/${deploymentId}`);
        const components = ((answer.body.components ?? []) as any[]).map((c) => `${c.id}:${c.status}`);
        return {
          http: answer.status,
          status: answer.body.status as string | undefined,
          components,
          active: (await activeJobs(deploymentId)).map((j) => `${j.source_id}:${j.status}`),
        };
      },
      (seen) => settled(seen) && seen.active.length === 0,
      { what: `deployment ${deploymentId} settled with no active job`, timeoutMs: 20_000 },
    );

  it(`stops a deployment right after an update patched a job in place (admit delay 20–40 ms), ${UPDATE_THEN_STOP_RUNS} times`, async () => {
    for (let run = 0; run < UPDATE_THEN_STOP_RUNS; run++) {
      const admitDelay = 20 + ((run * 7) % 21);
      await h.clusterHttp('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { admit_delay_ms: admitDelay } } });
      const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
      const id = created.body.id as string;
      const running = await waitForStatus(h, id, 'running');
      const oldJob = running.components.find((c: any) => c.id === 'embedding').job_id;
      const patched = await h.http('PATCH', `/api/v1/deployments/${id}`, {
        body: { parameters: { embedding_model: `BAAI/bge-small-en-v1.${run}` } },
      });
      expect(patched.status).toBe(200);
      await pollUntil(
        async () => (await h.http('GET', `/api/v1/deployments/${id}`)).body.components.find((c: any) => c.id === 'embedding'),
        (c) => c.generation === 2 && c.job_id === oldJob,
        { what: 'the in-place patch of the same job', timeoutMs: 10_000, intervalMs: 2 },
      );
      expect((await h.http('POST', `/api/v1/deployments/${id}/stop`)).status).toBe(202);
      const settled = await settledWithoutJobs(id, (d) => d.status === 'stopped');
      expect([run, settled.components.sort()]).toEqual([
        run,
        ['embedding:stopped', 'llm:stopped', 'orchestrator:stopped', 'vector-db:stopped'],
      ]);
    }
  }, 120_000);

  it(`settles after ${PARALLEL_CALLS} parallel stop/start/delete calls, and a later delete is accepted and completes`, async () => {
    await h.clusterHttp('PATCH', `/api/v1/clusters/${clusterId}`, { body: { settings: { admit_delay_ms: 30 } } });
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    const id = created.body.id as string;
    await waitForStatus(h, id, 'running');
    const calls = Array.from({ length: PARALLEL_CALLS }, (_, i) => {
      const [method, path] = [
        ['POST', `/api/v1/deployments/${id}/stop`],
        ['POST', `/api/v1/deployments/${id}/start`],
        ['POST', `/api/v1/deployments/${id}/stop`],
        ['DELETE', `/api/v1/deployments/${id}`],
        ['POST', `/api/v1/deployments/${id}/start`],
      ][i % 5];
      return h.http(method, path);
    });
    const answers = await Promise.all(calls);
    // A conflict is an honest answer to a start that comes too soon; anything else must be accepted.
    expect(answers.filter((a) => ![202, 409, 404].includes(a.status)).map((a) => a.status)).toEqual([]);
    const deleted = answers.some((a, i) => i % 5 === 3 && a.status === 202);
    expect(deleted).toBe(true);
    await settledWithoutJobs(id, (d) => d.http === 404);

    // The same storm on a deployment that is only stopped: it ends stopped, and delete then works.
    const second = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    await waitForStatus(h, second.body.id, 'running');
    const storm = await Promise.all(
      Array.from({ length: PARALLEL_CALLS }, (_, i) =>
        h.http('POST', `/api/v1/deployments/${second.body.id}/${i % 3 === 1 ? 'start' : 'stop'}`),
      ),
    );
    expect(storm.filter((a) => ![202, 409].includes(a.status)).map((a) => a.status)).toEqual([]);
    expect((await h.http('POST', `/api/v1/deployments/${second.body.id}/stop`)).status).toBe(202);
    await settledWithoutJobs(second.body.id, (d) => d.status === 'stopped');
    expect((await h.http('DELETE', `/api/v1/deployments/${second.body.id}`)).status).toBe(202);
    expect((await h.http('DELETE', `/api/v1/deployments/${second.body.id}`)).status).toBe(202);
    await settledWithoutJobs(second.body.id, (d) => d.http === 404);
  }, 120_000);
});
