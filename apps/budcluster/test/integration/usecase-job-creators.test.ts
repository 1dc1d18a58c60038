import { randomUUID } from 'node:crypto';
import { ServiceTokens } from '@bud/auth';
import { TEST_SERVICE_TOKEN_SECRET, callApi, createTestDatabase, newServiceCaller } from '@bud/testing';
import type { Caller } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';
import { startHarness, testBudclusterEnv } from '../support/harness';
import type { Harness } from '../support/harness';

const usecaseJob = (overrides: Record<string, unknown> = {}) => ({
  name: `uc-${randomUUID().slice(0, 8)}`,
  source_type: 'usecase',
  source_id: 'llm#1',
  usecase_deployment_id: randomUUID(),
  spec: { kind: 'container', image: 'docker.io/library/nginx:1' },
  ...overrides,
});

/** Issue 16: use-case jobs come only from budusecases' service token, and land in the tenant it names. */
describe('who may create use-case jobs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const createJob = (caller: Caller | null, body: unknown) => h.http('POST', `/api/v1/clusters/${h.localClusterId}/jobs`, { caller, body });

  it("creates budusecases' job in the tenant its token names, and lets it read and cancel that job only", async () => {
    const service = await newServiceCaller('budusecases', 'budcluster', h.tenantA.tenantId);
    const created = await createJob(service, usecaseJob());
    expect([created.status, created.body.tenant_id, created.body.source_type]).toEqual([201, h.tenantA.tenantId, 'usecase']);
    expect((await h.http('GET', `/api/v1/clusters/${h.localClusterId}/jobs/${created.body.id}`, { caller: service })).status).toBe(200);
    const forTenantB = await newServiceCaller('budusecases', 'budcluster', h.tenantB.tenantId);
    expect((await h.http('GET', `/api/v1/clusters/${h.localClusterId}/jobs/${created.body.id}`, { caller: forTenantB })).status).toBe(404);
    expect((await h.http('DELETE', `/api/v1/clusters/${h.localClusterId}/jobs/${created.body.id}`, { caller: service })).status).toBe(202);
  });

  it('refuses users of any scope with 403 naming source_type', async () => {
    for (const caller of [h.tenantA, h.admin, await h.caller(['usecase:manage', 'job:manage'])]) {
      const answer = await createJob(caller, usecaseJob());
      expect([answer.status, answer.body.error, answer.body.details]).toEqual([
        403,
        'forbidden',
        [{ path: 'source_type', message: expect.any(String) }],
      ]);
    }
  });

  it('gives the budusecases token no other job rights, and accepts no other service or tenant-less token', async () => {
    const service = await newServiceCaller('budusecases', 'budcluster', h.tenantA.tenantId);
    expect((await createJob(service, usecaseJob({ source_type: 'direct' }))).status).toBe(403);
    const tokens = new ServiceTokens(TEST_SERVICE_TOKEN_SECRET);
    const asBudcluster = { ...service, token: await tokens.sign('budcluster', 'budcluster', { tenantId: h.tenantA.tenantId }) };
    expect((await createJob(asBudcluster, usecaseJob())).status).toBe(403);
    const noTenant = { ...service, token: await tokens.sign('budusecases', 'budcluster') };
    expect((await createJob(noTenant, usecaseJob())).status).toBe(401);
    const otherAudience = { ...service, token: await tokens.sign('budusecases', 'budusecases', { tenantId: h.tenantA.tenantId }) };
    expect((await createJob(otherAudience, usecaseJob())).status).toBe(401);
  });
});

describe('use-case jobs in dev auth', () => {
  let service: RunningBudcluster;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = () => db.drop();
    service = await startBudcluster(
      loadBudclusterConfig({ PORT: '0', ...testBudclusterEnv(db, 'http://127.0.0.1:9'), AUTH_JWT_SECRET: undefined }),
    );
  });
  afterAll(async () => {
    await service.stop();
    await drop();
  });

  it('does not take the dev principal, which every caller is, for budusecases', async () => {
    const local = (await callApi<any>(service.url, null, 'GET', '/api/v1/clusters')).body.items.find((c: any) => c.name === 'local');
    const asDevUser = await callApi<any>(service.url, null, 'POST', `/api/v1/clusters/${local.id}/jobs`, { body: usecaseJob() });
    expect([asDevUser.status, asDevUser.body.error]).toEqual([403, 'forbidden']);
    const tenantId = randomUUID();
    const asService = await callApi<any>(
      service.url,
      await newServiceCaller('budusecases', 'budcluster', tenantId),
      'POST',
      `/api/v1/clusters/${local.id}/jobs`,
      { body: usecaseJob() },
    );
    expect([asService.status, asService.body.tenant_id]).toEqual([201, tenantId]);
  });
});
