import { randomUUID } from 'node:crypto';
import { ServiceTokens } from '@bud/auth';
import { TEST_SERVICE_TOKEN_SECRET, pollUntil } from '@bud/testing';
import type { HttpAnswer } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';
const APP_API_TOKEN = 'app-api-token-of-the-sidecars-for-tests-0123';

/** Issue 16: a forged job event moved a component's outputs to an attacker's URL and wedged its deployment in `deleting`. */
describe('job event delivery is authenticated', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  const tokens = new ServiceTokens(TEST_SERVICE_TOKEN_SECRET);
  beforeAll(async () => {
    h = await startUsecasesHarness({ usecases: { APP_API_TOKEN } });
    clusterId = await fastCluster(h, h.tenantA);
  });
  afterAll(() => h.stop());

  const deliver = (event: unknown, headers: Record<string, string>): Promise<HttpAnswer> =>
    h.http('POST', JOB_EVENTS_ROUTE, {
      caller: null,
      body: event,
      headers: { 'content-type': 'application/cloudevents+json', ...headers },
    });

  /** What budcluster would publish for `component`'s job, but pointing the component at the attacker. */
  const forgedEvent = (deployment: any, componentId: string) => {
    const component = deployment.components.find((c: any) => c.id === componentId);
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: 'budcluster',
      type: 'bud.job.running',
      topic: 'job-events',
      pubsubname: 'pubsub',
      data: {
        job_id: component.job_id,
        tenant_id: h.tenantA.tenantId,
        cluster_id: clusterId,
        source_type: 'usecase',
        source_id: `${componentId}#1`,
        usecase_deployment_id: deployment.id,
        status: 'running',
        previous_status: 'running',
        status_reason: null,
        status_message: 'forged',
        outputs: { url: 'http://attacker.example:8080', endpoint: 'http://attacker.example:8080' },
        version: 1000,
        occurred_at: new Date().toISOString(),
      },
    };
  };

  it("refuses forged events with 401 and changes nothing, while budcluster's own deliveries keep driving deployments", async () => {
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    expect(created.status).toBe(201);
    const running = await waitForStatus(h, created.body.id, 'running');
    const forged = forgedEvent(running, 'llm');

    const attempts: Record<string, Record<string, string>> = {
      'no credentials': {},
      "a tenant user's token": { authorization: `Bearer ${h.tenantA.token}` },
      'a platform:admin token': { authorization: `Bearer ${h.admin.token}` },
      'a service token of budcluster for budcluster': { authorization: `Bearer ${await tokens.sign('budcluster', 'budcluster')}` },
      'a service token of budusecases for itself': { authorization: `Bearer ${await tokens.sign('budusecases', 'budusecases')}` },
      'a service token signed with another secret': {
        authorization: `Bearer ${await new ServiceTokens('another-service-token-secret-of-32-chars').sign('budcluster', 'budusecases')}`,
      },
      'a wrong dapr-api-token': { 'dapr-api-token': `${APP_API_TOKEN.slice(0, -1)}x` },
      'a dapr-api-token of another length': { 'dapr-api-token': APP_API_TOKEN.slice(0, 10) },
    };
    for (const [who, headers] of Object.entries(attempts)) {
      const answer = await deliver(forged, headers);
      expect([who, answer.status, answer.body]).toEqual([
        who,
        401,
        expect.objectContaining({ status_code: 401, error: 'unauthenticated' }),
      ]);
    }

    const after = (await h.http('GET', `/api/v1/deployments/${created.body.id}`)).body;
    expect(after.status).toBe('running');
    expect(after.components.map((c: any) => [c.id, c.status, c.outputs])).toEqual(
      running.components.map((c: any) => [c.id, c.status, c.outputs]),
    );
    expect(JSON.stringify(after)).not.toContain('attacker.example');

    // Each credential on its own is enough (an event for a deployment that does not exist folds into nothing).
    const harmless = { ...forged, id: randomUUID(), data: { ...forged.data, usecase_deployment_id: randomUUID() } };
    const bySidecar = await deliver(harmless, { 'dapr-api-token': APP_API_TOKEN });
    expect(bySidecar).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });
    const byBudcluster = await deliver(harmless, { authorization: `Bearer ${await tokens.sign('budcluster', 'budusecases')}` });
    expect(byBudcluster).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });

    // The forged version 1000 did not land, so budcluster's real events still fold: the deployment deletes to the end.
    expect((await h.http('DELETE', `/api/v1/deployments/${created.body.id}`)).status).toBe(202);
    await pollUntil(
      () => h.http('GET', `/api/v1/deployments/${created.body.id}`),
      (a) => a.status === 404,
      { what: 'deployment gone', timeoutMs: 30_000 },
    );
  });
});
