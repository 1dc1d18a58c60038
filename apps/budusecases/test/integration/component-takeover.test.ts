import { randomUUID } from 'node:crypto';
import { ServiceTokens } from '@bud/auth';
import { TEST_SERVICE_TOKEN_SECRET, pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { Caller, UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';
const EVIL_OUTPUTS = { url: 'http://attacker.example:80', host: 'attacker.example', port: 80 };
/** Long enough that no wave-0 job is admitted while a test runs: the orchestrator stays without a job. */
const NEVER_ADMIT = { admit_delay_ms: 3_600_000 };

/** Issue 16: no tenant can take over another's component, and budusecases folds only events of jobs it created. */
describe('component takeover', () => {
  let h: UsecasesHarness;
  let fastClusterId: string;
  let stalledClusterId: string;
  const serviceTokens = new ServiceTokens(TEST_SERVICE_TOKEN_SECRET);

  beforeAll(async () => {
    h = await startUsecasesHarness();
    [fastClusterId, stalledClusterId] = [await fastCluster(h, h.tenantA), await fastCluster(h, h.tenantA, NEVER_ADMIT)];
  });
  afterAll(() => h.stop());

  const deployment = async (id: string) => (await h.http('GET', `/api/v1/deployments/${id}`)).body;
  const component = async (id: string, componentId: string) =>
    ((await deployment(id)).components as any[]).find((c) => c.id === componentId);

  /** A's deployment whose orchestrator waits for dependencies that are never admitted: it has no job yet. */
  async function stalledDeployment(): Promise<string> {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(stalledClusterId) });
    expect(created.status).toBe(201);
    // Recorded from the create's answer (generation set), not only from the job's first event, which can come first.
    await pollUntil(
      async () =>
        ((await deployment(created.body.id)).components as any[]).filter((c) => c.job_id !== null && c.generation !== null).length,
      (recorded) => recorded === 3,
      { what: 'the three wave-0 jobs recorded', timeoutMs: 10_000 },
    );
    return created.body.id;
  }

  /** What budcluster publishes for a job, as a CloudEvent, posted with the credential budcluster delivers with. */
  async function postJobEvent(data: Record<string, unknown>) {
    const token = await serviceTokens.sign('budcluster', 'budusecases');
    const event = {
      specversion: '1.0',
      id: `${String(data.job_id)}:${String(data.version)}`,
      source: 'budcluster',
      type: `bud.job.${String(data.status)}`,
      datacontenttype: 'application/json',
      data,
    };
    return h.http('POST', JOB_EVENTS_ROUTE, { body: event, caller: null, headers: { authorization: `Bearer ${token}` } });
  }

  const runningEvent = (deploymentId: string, clusterId: string, fields: Record<string, unknown>) => ({
    tenant_id: h.tenantA.tenantId,
    cluster_id: clusterId,
    source_type: 'usecase',
    usecase_deployment_id: deploymentId,
    status: 'running',
    previous_status: 'admitted',
    status_reason: 'Available',
    status_message: null,
    outputs: EVIL_OUTPUTS,
    occurred_at: new Date().toISOString(),
    ...fields,
  });

  async function stopAndDelete(id: string): Promise<void> {
    expect((await h.http('POST', `/api/v1/deployments/${id}/stop`)).status).toBe(202);
    await waitForStatus(h, id, 'stopped');
    expect((await h.http('DELETE', `/api/v1/deployments/${id}`)).status).toBe(202);
    await pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${id}`)).status,
      (status) => status === 404,
      { what: `deployment ${id} deleted`, timeoutMs: 20_000 },
    );
  }

  describe('budcluster creates use-case jobs only for budusecases', () => {
    const takeoverJob = (deploymentId: string) => ({
      name: `takeover-${randomUUID().slice(0, 8)}`,
      source_type: 'usecase',
      source_id: 'orchestrator#1',
      usecase_deployment_id: deploymentId,
      spec: { kind: 'container', image: 'docker.io/attacker/exfiltrate:1', ports: [{ port: 80 }] },
    });

    it.each<[string, (h: UsecasesHarness) => Promise<Caller>]>([
      [
        "another tenant's job and use-case manager",
        (harness) => harness.caller(['job:manage', 'job:view', 'usecase:manage', 'usecase:view'], harness.tenantB.tenantId),
      ],
      ["another tenant's platform admin", (harness) => harness.caller(['platform:admin'], harness.tenantB.tenantId)],
      ["the deployment's own tenant, as a user", (harness) => harness.caller(['platform:admin'], harness.tenantA.tenantId)],
    ])(
      'refuses %s naming a deployment, and the deployment is unchanged',
      async (_, who) => {
        const id = await stalledDeployment();
        const before = await deployment(id);
        const caller = await who(h);
        const localAnswer = await h.clusterHttp('POST', `/api/v1/clusters/${h.localClusterId}/jobs`, { caller, body: takeoverJob(id) });
        expect([localAnswer.status, localAnswer.body]).toEqual([
          403,
          expect.objectContaining({ error: 'forbidden', message: expect.stringContaining("source_type 'usecase'") }),
        ]);

        const after = await deployment(id);
        expect(after.components).toEqual(before.components);
        expect((await component(id, 'orchestrator')).job_id).toBeNull();
        const jobs = await h.clusterHttp('GET', `/api/v1/clusters/${h.localClusterId}/jobs?usecase_deployment_id=${id}`, { caller });
        expect(jobs.body.items).toEqual([]);
        await stopAndDelete(id);
      },
      60_000,
    );
  });

  describe('budusecases folds only events that match what it created', () => {
    it('drops forged events for a running component: a foreign job, another tenant, a version budcluster never reached', async () => {
      const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(fastClusterId) });
      const id = created.body.id as string;
      await waitForStatus(h, id, 'running');
      const llm = await component(id, 'llm');
      const { version } = (await h.clusterHttp('GET', `/api/v1/clusters/${fastClusterId}/jobs/${llm.job_id}`)).body;
      const forged = [
        runningEvent(id, fastClusterId, { job_id: randomUUID(), source_id: 'llm#1', version: version + 1 }),
        runningEvent(id, fastClusterId, { job_id: llm.job_id, source_id: 'llm#1', version: version + 1, tenant_id: h.tenantB.tenantId }),
        runningEvent(id, fastClusterId, { job_id: llm.job_id, source_id: 'llm#1', version: 1000 }),
      ];
      for (const data of forged) {
        const answer = await postJobEvent(data);
        expect([answer.status, answer.body.status]).toEqual([200, expect.stringMatching(/^(SUCCESS|DROP)$/)]);
      }
      expect(await component(id, 'llm')).toEqual(llm);
      await stopAndDelete(id);
    }, 60_000);

    it('drops a forged first event for a component whose job is not created yet', async () => {
      const id = await stalledDeployment();
      const before = await component(id, 'orchestrator');
      const answer = await postJobEvent(
        runningEvent(id, stalledClusterId, { job_id: randomUUID(), source_id: 'orchestrator#1', version: 3 }),
      );
      expect(answer.status).toBe(200);
      expect(await component(id, 'orchestrator')).toEqual(before);
      await stopAndDelete(id);
    }, 60_000);

    it('still runs, stops and deletes a legitimate deployment, with outputs from its own jobs', async () => {
      const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(fastClusterId) });
      const id = created.body.id as string;
      const running = await waitForStatus(h, id, 'running');
      const jobs = (await h.clusterHttp('GET', `/api/v1/clusters/${fastClusterId}/jobs?usecase_deployment_id=${id}&page_size=100`)).body
        .items as any[];
      for (const c of running.components as any[]) {
        const job = jobs.find((j) => j.id === c.job_id);
        expect([c.id, job?.source_id, job?.tenant_id, c.job_status, c.job_outputs]).toEqual([
          c.id,
          `${c.id}#1`,
          h.tenantA.tenantId,
          job?.status,
          job?.outputs,
        ]);
      }
      await stopAndDelete(id);
    }, 60_000);
  });
});
