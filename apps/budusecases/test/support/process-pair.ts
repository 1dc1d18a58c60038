import { randomUUID } from 'node:crypto';
import { signToken } from '@bud/auth';
import { ServiceProcess, createTestDatabase, freePort, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';

export const PAIR_SECRET = 'process-pair-secret-of-32-characters!';

/** budcluster and budusecases as separate OS processes on their own databases, restartable at will. */
export class ProcessPair {
  budcluster!: ServiceProcess;
  budusecases!: ServiceProcess;
  clusterDb!: TestDatabase;
  usecasesDb!: TestDatabase;
  token = '';
  private usecasesPort = 0;
  private clusterPort = 0;

  async start(): Promise<void> {
    [this.clusterDb, this.usecasesDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    this.clusterPort = await freePort();
    this.usecasesPort = await freePort();
    this.budcluster = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      {
        DATABASE_URL: this.clusterDb.url,
        DATABASE_POOL_SIZE: String(this.clusterDb.poolSize),
        AUTH_JWT_SECRET: PAIR_SECRET,
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        SECRETS_KEY: 'k'.repeat(64),
        BUDUSECASES_URL: `http://127.0.0.1:${this.usecasesPort}`,
        OUTBOX_POLL_MS: '100',
        LOG_LEVEL: 'error',
        DATA_DIR: `/tmp/bud-test-${randomUUID()}`,
      },
      this.clusterPort,
    );
    await this.budcluster.start();
    await this.startUsecases();
    this.token = await signToken(PAIR_SECRET, {
      sub: randomUUID(),
      tenant_id: randomUUID(),
      scopes: ['usecase:manage', 'usecase:view', 'job:view', 'job:manage', 'cluster:manage'],
    });
  }

  async startUsecases(extraEnv: Record<string, string> = {}): Promise<void> {
    this.budusecases = new ServiceProcess(
      'dist/apps/budusecases/src/main.js',
      {
        DATABASE_URL: this.usecasesDb.url,
        DATABASE_POOL_SIZE: String(this.usecasesDb.poolSize),
        AUTH_JWT_SECRET: PAIR_SECRET,
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        BUDCLUSTER_URL: this.budcluster.url,
        RECONCILE_TICK_MS: '200',
        RECONCILE_LEASE_MS: '1000',
        LOG_LEVEL: 'error',
        DATA_DIR: `/tmp/bud-test-${randomUUID()}`,
        // A restarted service keeps its key, as a real one does (sealed secrets and digest keys open again).
        SECRETS_KEY: 'u'.repeat(64),
        ...extraEnv,
      },
      this.usecasesPort,
    );
    await this.budusecases.start();
  }

  async call<T = any>(
    service: 'budcluster' | 'budusecases',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const base = service === 'budcluster' ? this.budcluster.url : this.budusecases.url;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async stop(): Promise<void> {
    await this.budusecases?.stop();
    await this.budcluster?.stop();
    await Promise.all([this.clusterDb?.drop(), this.usecasesDb?.drop()]);
  }
}
