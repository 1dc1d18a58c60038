import { randomUUID } from 'node:crypto';
import { ServiceTokens } from '@bud/auth';
import { TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import type { HttpAnswer } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';

const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';
const APP_API_TOKEN = 'app-api-token-of-the-sidecars-for-tests-0123';

/** Issue 15: budcluster's relay (and Dapr, when asked by bulkSubscribe) delivers job events in bulk envelopes. */
describe('bulk job event deliveries', () => {
  let h: UsecasesHarness;
  const tokens = new ServiceTokens(TEST_SERVICE_TOKEN_SECRET);
  beforeAll(async () => {
    h = await startUsecasesHarness({ usecases: { APP_API_TOKEN } });
  });
  afterAll(() => h.stop());

  const deliver = (body: unknown, headers: Record<string, string>): Promise<HttpAnswer> =>
    h.http('POST', JOB_EVENTS_ROUTE, { caller: null, body, headers: { 'content-type': 'application/json', ...headers } });
  const fromBudcluster = async () => ({ authorization: `Bearer ${await tokens.sign('budcluster', 'budusecases')}` });
  /** A well-formed job event for a deployment that does not exist: it folds into nothing. */
  const harmless = (padding = '') => ({
    specversion: '1.0',
    id: randomUUID(),
    source: 'budcluster',
    type: 'bud.job.running',
    data: {
      job_id: randomUUID(),
      tenant_id: h.tenantA.tenantId,
      cluster_id: randomUUID(),
      source_type: 'usecase',
      source_id: 'llm#1',
      usecase_deployment_id: randomUUID(),
      status: 'running',
      previous_status: 'admitted',
      status_reason: null,
      status_message: padding || null,
      outputs: {},
      version: 2,
      occurred_at: new Date().toISOString(),
    },
  });
  const envelope = (entries: unknown[]) => ({
    id: randomUUID(),
    type: 'com.dapr.event.sent.bulk',
    pubsubname: 'pubsub',
    topic: 'job-events',
    metadata: {},
    entries,
  });
  const entry = (entryId: string, event: unknown) => ({ entryId, event, contentType: 'application/cloudevents+json', metadata: {} });

  it('drives a deployment to running on bulk deliveries from budcluster', async () => {
    const clusterId = await fastCluster(h, h.tenantA);
    const created = await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) });
    expect(created.status).toBe(201);
    expect((await waitForStatus(h, created.body.id, 'running')).status).toBe('running');
  });

  it('answers each entry of a bulk by its id: SUCCESS for events, DROP for malformed ones', async () => {
    const bulk = envelope([entry('a', harmless()), entry('b', { specversion: '1.0' }), entry('c', 42), entry('d', harmless())]);
    for (const headers of [await fromBudcluster(), { 'dapr-api-token': APP_API_TOKEN }]) {
      const answer = await deliver(bulk, headers);
      expect(answer).toMatchObject({ status: 200 });
      expect(answer.body).toEqual({
        statuses: [
          { entryId: 'a', status: 'SUCCESS' },
          { entryId: 'b', status: 'DROP' },
          { entryId: 'c', status: 'DROP' },
          { entryId: 'd', status: 'SUCCESS' },
        ],
      });
    }
  });

  it('drops an entry whose event, sent as a JSON string, holds what no body may (a NUL character)', async () => {
    const poisoned = JSON.stringify({ ...harmless(), id: 'bad\u0000id' });
    const answer = await deliver(envelope([entry('a', poisoned), entry('b', JSON.stringify(harmless()))]), await fromBudcluster());
    expect(answer.body).toEqual({
      statuses: [
        { entryId: 'a', status: 'DROP' },
        { entryId: 'b', status: 'SUCCESS' },
      ],
    });
  });

  it('judges the caller before the query: no credential and an unknown query parameter is a 401', async () => {
    const answer = await h.http('POST', `${JOB_EVENTS_ROUTE}?x=1`, { caller: null, body: harmless() });
    expect(answer.status).toBe(401);
  });

  it('refuses a bulk without either credential with 401', async () => {
    const answer = await deliver(envelope([entry('a', harmless())]), { authorization: `Bearer ${h.tenantA.token}` });
    expect(answer).toMatchObject({ status: 401, body: { error: 'unauthenticated' } });
  });

  it('answers a bulk past its bounds with 422 (too many entries) or 413 (past 1 MiB), never a 500', async () => {
    const tooMany = await deliver(envelope(Array.from({ length: 101 }, (_, i) => entry(String(i), harmless()))), await fromBudcluster());
    expect(tooMany).toMatchObject({
      status: 422,
      body: { error: 'validation_failed', details: [expect.objectContaining({ path: 'entries' })] },
    });
    const notAList = await deliver({ entries: 'all of them' }, await fromBudcluster());
    expect(notAList).toMatchObject({ status: 422, body: { details: [expect.objectContaining({ path: 'entries' })] } });
    const tooBig = await deliver(envelope([entry('a', harmless('x'.repeat(1024 * 1024)))]), await fromBudcluster());
    expect(tooBig).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });
});
