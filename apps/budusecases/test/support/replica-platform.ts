import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signToken } from '@bud/auth';
import { Replica, TEST_SERVICE_TOKEN_SECRET, createTestDatabase, freePort } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';

const SECRET = 'replica-platform-secret-of-32-characters!';

/**
 * Replicas of budcluster and of budusecases as OS processes on one PostgreSQL server (a database per
 * service, shared by its replicas). budcluster publishes job events to every budusecases replica; the
 * i-th budusecases replica calls the i-th budcluster replica.
 */
export class ReplicaPlatform {
  readonly budcluster: Replica[] = [];
  readonly budusecases: Replica[] = [];
  clusterDb!: TestDatabase;
  usecasesDb!: TestDatabase;
  token = '';

  constructor(
    private readonly replicas: number,
    private readonly extraEnv: { budcluster?: Record<string, string>; budusecases?: Record<string, string> } = {},
  ) {}

  async start(): Promise<void> {
    if (!process.env.TEST_DATABASE_URL) throw new Error('replicas need a PostgreSQL server: set TEST_DATABASE_URL');
    [this.clusterDb, this.usecasesDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const clusterPorts: number[] = [];
    const usecasesPorts: number[] = [];
    for (let i = 0; i < this.replicas; i++) clusterPorts.push(await freePort());
    for (let i = 0; i < this.replicas; i++) usecasesPorts.push(await freePort());
    const subscribers = usecasesPorts.map((port) => `http://127.0.0.1:${port}`).join(',');
    for (let i = 0; i < this.replicas; i++) {
      this.budcluster.push(
        new Replica(`budcluster-${i}`, 'dist/apps/budcluster/src/main.js', clusterPorts[i], () => ({
          ...this.commonEnv(this.clusterDb),
          SECRETS_KEY: 'k'.repeat(64),
          LOCAL_CLUSTER: 'true',
          EVENT_SUBSCRIBER_URLS: subscribers,
          OUTBOX_POLL_MS: '100',
          CLUSTER_OWNERSHIP_CHECK_MS: '500',
          // budusecases' debug lines are what the test counts; budcluster's would only slow the run down.
          LOG_LEVEL: 'info',
          ...this.extraEnv.budcluster,
        })),
      );
      this.budusecases.push(
        new Replica(`budusecases-${i}`, 'dist/apps/budusecases/src/main.js', usecasesPorts[i], () => ({
          ...this.commonEnv(this.usecasesDb),
          SECRETS_KEY: 'u'.repeat(64),
          BUDCLUSTER_URL: `http://127.0.0.1:${clusterPorts[i]}`,
          RECONCILE_TICK_MS: '200',
          RECONCILE_LEASE_MS: '2000',
          OUTBOX_POLL_MS: '100',
          ...this.extraEnv.budusecases,
        })),
      );
    }
    // One at a time: each replica's start-up (migrations, template sync) is then the ordinary case.
    for (const replica of [...this.budcluster, ...this.budusecases]) await replica.start();
    this.token = await signToken(SECRET, {
      sub: randomUUID(),
      tenant_id: randomUUID(),
      scopes: ['usecase:manage', 'usecase:view', 'job:view', 'job:manage', 'cluster:manage', 'platform:admin'],
    });
  }

  async call<T = any>(replica: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${replica.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Rows of one service's database, read directly (the test's view of the truth, not the API's). */
  async query<T>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const replica of [...this.budusecases, ...this.budcluster]) await replica.process?.stop();
    await Promise.all([this.clusterDb?.drop(), this.usecasesDb?.drop()]);
  }

  private commonEnv(db: TestDatabase): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '5',
      AUTH_JWT_SECRET: SECRET,
      SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      DATA_DIR: `/tmp/bud-test-${randomUUID()}`,
    };
  }
}
