import { randomUUID } from 'node:crypto';
import type { Scope } from '@bud/contracts';
import { scopes } from '@bud/contracts';
import { ServiceProcess, callApi, createTestDatabase, freePort, newCaller, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import type { Caller, HttpAnswer, RequestOptions, TestDatabase, TypedRequestOptions } from '@bud/testing';
import { startBudusecases } from '../../src/budusecases.app';
import type { RunningBudusecases } from '../../src/budusecases.app';
import { loadBudusecasesConfig } from '../../src/config/budusecases.config';

export const JWT_SECRET = 'usecases-test-secret-of-32-characters!!';

export type { Caller, HttpAnswer };

export interface UsecasesHarness {
  usecases: RunningBudusecases;
  /** budcluster as its own process (built entry in dist/). */
  cluster: ServiceProcess;
  usecasesDb: TestDatabase;
  clusterDb: TestDatabase;
  tenantA: Caller;
  tenantB: Caller;
  admin: Caller;
  localClusterId: string;
  caller(scopes: Scope[], tenantId?: string): Promise<Caller>;
  /** Calls budusecases. */
  /** With `schema` the answer is checked against the contract and typed by it. */
  http<T = any>(method: string, path: string, options?: RequestOptions | TypedRequestOptions<T>): Promise<HttpAnswer<T>>;
  /** Calls budcluster. */
  clusterHttp<T = any>(method: string, path: string, options?: RequestOptions | TypedRequestOptions<T>): Promise<HttpAnswer<T>>;
  stop(): Promise<void>;
}

/**
 * budcluster (a process) and budusecases (in-process) on their own fresh databases, talking real HTTP to each other
 * (direct transport: job events reach budusecases' Dapr-style subscription route).
 */
export async function startUsecasesHarness(
  env: { usecases?: Record<string, string>; cluster?: Record<string, string> } = {},
): Promise<UsecasesHarness> {
  const [clusterDb, usecasesDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const [clusterPort, usecasesPort] = [await freePort(), await freePort()];
  const dataDir = `/tmp/bud-test-${randomUUID()}`;
  const cluster = new ServiceProcess(
    'dist/apps/budcluster/src/main.js',
    {
      DATABASE_URL: clusterDb.url,
      DATABASE_POOL_SIZE: String(clusterDb.poolSize),
      AUTH_JWT_SECRET: JWT_SECRET,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
      SECRETS_KEY: 'k'.repeat(64),
      LOCAL_CLUSTER: 'true',
      BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
      OUTBOX_POLL_MS: '100',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      ...env.cluster,
    },
    clusterPort,
  );
  await cluster.start();
  const usecases = await startBudusecases(
    loadBudusecasesConfig({
      PORT: String(usecasesPort),
      DATABASE_URL: usecasesDb.url,
      DATABASE_POOL_SIZE: String(usecasesDb.poolSize),
      AUTH_JWT_SECRET: JWT_SECRET,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
      BUDCLUSTER_URL: cluster.url,
      RECONCILE_TICK_MS: '200',
      OUTBOX_POLL_MS: '100',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      ...env.usecases,
    }),
  );
  const caller = (granted: Scope[], tenantId?: string) => newCaller(JWT_SECRET, granted, tenantId);
  const everything = scopes.filter((s) => s !== 'platform:admin');
  const tenantA = await caller(everything);
  const tenantB = await caller(everything);
  const admin = await caller(['platform:admin']);
  const clusters = await callApi<{ items: Array<{ id: string; name: string }> }>(
    cluster.url,
    tenantA,
    'GET',
    '/api/v1/clusters?page_size=100',
  );
  const local = clusters.body.items.find((c) => c.name === 'local');
  if (!local) throw new Error('no local cluster');
  return {
    usecases,
    cluster,
    usecasesDb,
    clusterDb,
    tenantA,
    tenantB,
    admin,
    localClusterId: local.id,
    caller,
    http: (method, path, options) => callApi(usecases.url, tenantA, method, path, options),
    clusterHttp: (method, path, options) => callApi(cluster.url, tenantA, method, path, options),
    async stop() {
      await usecases.stop();
      await cluster.stop();
      await Promise.all([usecasesDb.drop(), clusterDb.drop()]);
    },
  };
}
