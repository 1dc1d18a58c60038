import { randomUUID } from 'node:crypto';
import { ServiceProcess, createTestDatabase, freePort } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';

/** The whole platform as `npm start` runs it (dev auth, simulated `local` cluster), on free ports and fresh databases. */
export class UiPlatform {
  budcluster!: ServiceProcess;
  budusecases!: ServiceProcess;
  budadmin!: ServiceProcess;
  private databases: TestDatabase[] = [];

  get url(): string {
    return this.budadmin.url;
  }

  async start(): Promise<void> {
    this.databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const [clusterDb, usecasesDb] = this.databases;
    const [clusterPort, usecasesPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    const common = {
      LOG_LEVEL: 'warn',
      DATA_DIR: `/tmp/bud-ui-test-${randomUUID()}`,
      BUDCLUSTER_URL: `http://127.0.0.1:${clusterPort}`,
      BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
    };
    this.budcluster = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      {
        ...common,
        DATABASE_URL: clusterDb.url,
        DATABASE_POOL_SIZE: String(clusterDb.poolSize),
        LOCAL_CLUSTER: 'true',
        OUTBOX_POLL_MS: '100',
        // The meter writes a minute once it is over: tick often and stay no later than needed, so the cost flows show
        // money within about a minute of a deployment starting.
        METER_TICK_MS: '500',
        METER_LATENESS_MS: '1000',
      },
      clusterPort,
    );
    this.budusecases = new ServiceProcess(
      'dist/apps/budusecases/src/main.js',
      {
        ...common,
        DATABASE_URL: usecasesDb.url,
        DATABASE_POOL_SIZE: String(usecasesDb.poolSize),
        RECONCILE_TICK_MS: '500',
        // A component unhealthy this long degrades its deployment: short, so the degraded flow is quick to show.
        DEGRADED_GRACE_MS: '300',
      },
      usecasesPort,
    );
    this.budadmin = new ServiceProcess('dist/apps/budadmin/server/main.js', { ...common }, adminPort);
    await Promise.all([this.budcluster.start(60_000), this.budusecases.start(60_000), this.budadmin.start()]);
  }

  async api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async stop(): Promise<void> {
    await Promise.all([this.budadmin?.stop(), this.budusecases?.stop(), this.budcluster?.stop()]);
    await Promise.all(this.databases.map((db) => db.drop()));
  }
}
