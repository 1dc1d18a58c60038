import { randomUUID } from 'node:crypto';
import type { Scope } from '@bud/contracts';
import { scopes } from '@bud/contracts';
import { callApi, createTestDatabase, newCaller, TestEventSubscriber, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import type { Caller, HttpAnswer, RequestOptions, TestDatabase, TypedRequestOptions } from '@bud/testing';
import { startBudcluster } from '../../src/budcluster.app';
import type { RunningBudcluster, StartOverrides } from '../../src/budcluster.app';
import { loadBudclusterConfig } from '../../src/config/budcluster.config';

export const JWT_SECRET = 'test-secret-of-at-least-32-characters!!';

/** budcluster's settings in tests: JWT auth, a fixed key, events to the given subscriber, fast relay. */
export function testBudclusterEnv(db: TestDatabase, subscriberUrl: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: String(db.poolSize),
    AUTH_JWT_SECRET: JWT_SECRET,
    SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    SECRETS_KEY: 'k'.repeat(64),
    LOCAL_CLUSTER: 'true',
    EVENT_SUBSCRIBER_URLS: subscriberUrl,
    OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'error',
    DATA_DIR: `/tmp/bud-test-${randomUUID()}`,
  };
}

export type { Caller, HttpAnswer };

export interface Harness {
  service: RunningBudcluster;
  db: TestDatabase;
  subscriber: TestEventSubscriber;
  tenantA: Caller;
  tenantB: Caller;
  admin: Caller;
  localClusterId: string;
  caller(scopes: Scope[], tenantId?: string): Promise<Caller>;
  /** With `schema` the answer is checked against the contract and typed by it. */
  http<T = any>(method: string, path: string, options?: RequestOptions | TypedRequestOptions<T>): Promise<HttpAnswer<T>>;
  newSimulatedCluster(caller: Caller, settings?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/** Starts budcluster on a fresh database with JWT auth, a subscriber for its events and a simulated cluster. */
export async function startHarness(env: Record<string, string> = {}, overrides: StartOverrides = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const subscriber = new TestEventSubscriber(['job-events']);
  await subscriber.start();
  const service = await startBudcluster(
    loadBudclusterConfig({
      PORT: '0',
      ...testBudclusterEnv(db, subscriber.url),
      ...env,
    }),
    overrides,
  );
  const caller = (granted: Scope[], tenantId?: string) => newCaller(JWT_SECRET, granted, tenantId);
  const everything = scopes.filter((s) => s !== 'platform:admin');
  const tenantA = await caller(everything);
  const tenantB = await caller(everything);
  const admin = await caller(['platform:admin']);

  const http = <T>(method: string, path: string, options?: RequestOptions | TypedRequestOptions<T>) =>
    callApi<T>(service.url, tenantA, method, path, options);

  const clusters = await http<{ items: Array<{ id: string; name: string }> }>('GET', '/api/v1/clusters?page_size=100');
  const local = clusters.body.items.find((c) => c.name === 'local');
  if (!local) throw new Error(`no local cluster: ${JSON.stringify(clusters.body)}`);

  let clusterSeq = 0;
  return {
    service,
    db,
    subscriber,
    tenantA,
    tenantB,
    admin,
    localClusterId: local.id,
    caller,
    http,
    async newSimulatedCluster(owner, settings = {}) {
      const created = await http<{ id: string }>('POST', '/api/v1/clusters', {
        caller: owner,
        body: {
          name: `sim-${++clusterSeq}-${randomUUID().slice(0, 6)}`,
          type: 'simulated',
          settings: { admit_delay_ms: 0, ready_delay_ms: 0, batch_run_ms: 0, ...settings },
        },
      });
      if (created.status !== 201) throw new Error(`cluster create failed: ${JSON.stringify(created.body)}`);
      return created.body.id;
    },
    async stop() {
      await service.stop();
      await subscriber.stop();
      await db.drop();
    },
  };
}

export const containerJob = (overrides: Record<string, unknown> = {}) => ({
  name: `web-${randomUUID().slice(0, 8)}`,
  job_type: 'service',
  spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], health_check_path: '/' },
  resources: { cpu_request: '500m', memory_request: '512Mi' },
  ...overrides,
});
