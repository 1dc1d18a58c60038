import { randomUUID } from 'node:crypto';
import type { Scope } from '@bud/contracts';
import { signToken } from '@bud/auth';
import { ServiceProcess, TestEventSubscriber, freePort, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import { freshDatabase } from './bench-database';
import { request } from './http-client';

export const BENCH_SECRET = 'bench-secret-of-at-least-32-characters!';

export interface BenchBudcluster {
  service: ServiceProcess;
  databaseUrl: string;
  embedded: boolean;
  /** A bearer token for a new tenant with the given scopes. */
  token(this: void, scopes: Scope[], tenantId?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * budcluster as its own process on a fresh database, events going to a subscriber that acknowledges
 * them: what the job benches measure. BENCH_SERVICE_NODE_ARGS (e.g. "--cpu-prof") go to its node.
 */
export async function startBenchBudcluster(serverUrl: string, env: Record<string, string> = {}): Promise<BenchBudcluster> {
  const db = await freshDatabase(serverUrl);
  const embedded = !process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL;
  const subscriber = new TestEventSubscriber(['job-events']);
  await subscriber.start();
  const service = new ServiceProcess(
    'dist/apps/budcluster/src/main.js',
    {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: embedded ? '1' : '10',
      AUTH_JWT_SECRET: BENCH_SECRET,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
      SECRETS_KEY: 'b'.repeat(64),
      LOCAL_CLUSTER: 'false',
      EVENT_SUBSCRIBER_URLS: subscriber.url,
      LOG_LEVEL: 'error',
      DATA_DIR: `/tmp/bud-bench-${randomUUID()}`,
      ...env,
    },
    await freePort(),
    process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
  );
  await service.start(60_000);
  return {
    service,
    databaseUrl: db.url,
    embedded,
    token: (scopes, tenantId = randomUUID()) => signToken(BENCH_SECRET, { sub: randomUUID(), tenant_id: tenantId, scopes }, 7200),
    async stop() {
      await service.stop();
      await subscriber.stop();
      await db.drop();
    },
  };
}

/**
 * A new tenant with job and cluster scopes and its simulated cluster, admission an hour away: the job benches measure
 * creation and listing, not the simulated lifecycle.
 */
export async function benchTenantCluster(
  bench: BenchBudcluster,
): Promise<{ tenantId: string; headers: Record<string, string>; clusterId: string }> {
  const tenantId = randomUUID();
  const headers = { authorization: `Bearer ${await bench.token(['job:manage', 'job:view', 'cluster:manage'], tenantId)}` };
  const answer = await request(
    `${bench.service.url}/api/v1/clusters`,
    'POST',
    { name: 'bench', type: 'simulated', settings: { admit_delay_ms: 3_600_000 } },
    headers,
  );
  if (answer.status !== 201) throw new Error(`cluster create answered ${answer.status}: ${answer.body}`);
  return { tenantId, headers, clusterId: (JSON.parse(answer.body) as { id: string }).id };
}
