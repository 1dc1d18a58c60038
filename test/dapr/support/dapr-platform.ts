import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, createTestDatabase, freePort, newCaller, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import type { Caller, TestDatabase } from '@bud/testing';
import { DaprdSidecar } from './daprd-sidecar';
import { RedisServer } from './redis-server';

const SECRET = 'dapr-suite-secret-of-32-characters!!';
/** Dapr's app API token, given to both sidecars and to budusecases (which accepts job events only with it). */
export const APP_API_TOKEN = 'dapr-suite-app-api-token-of-32-characters';
/** A port nothing listens on: the services' direct URLs point here, so only the Dapr path can work. */
const NOWHERE = 'http://127.0.0.1:9';

/**
 * budcluster and budusecases as OS processes, each behind its own daprd (app ids `budcluster` and
 * `budusecases`, components from deploy/dapr/), sharing one Redis for pub/sub and one SQLite file for
 * name resolution, as sidecars on one host would.
 */
export class DaprPlatform {
  readonly redis = new RedisServer();
  budcluster!: ServiceProcess;
  budusecases!: ServiceProcess;
  clusterSidecar!: DaprdSidecar;
  usecasesSidecar!: DaprdSidecar;
  private clusterDb!: TestDatabase;
  private usecasesDb!: TestDatabase;
  private usecasesPort = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'bud-dapr-'));

  async start(): Promise<void> {
    const configFile = join(this.dir, 'config.yaml');
    writeFileSync(
      configFile,
      [
        'apiVersion: dapr.io/v1alpha1',
        'kind: Configuration',
        'metadata:',
        '  name: bud-dapr-suite',
        'spec:',
        '  nameResolution:',
        '    component: sqlite',
        '    configuration:',
        `      connectionString: ${join(this.dir, 'name-resolution.db')}`,
        '',
      ].join('\n'),
    );
    await this.redis.start();
    [this.clusterDb, this.usecasesDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const clusterPort = await freePort();
    this.usecasesPort = await freePort();
    this.clusterSidecar = new DaprdSidecar({
      appId: 'budcluster',
      appPort: clusterPort,
      configFile,
      redisHost: this.redis.address,
      appApiToken: APP_API_TOKEN,
    });
    this.usecasesSidecar = new DaprdSidecar({
      appId: 'budusecases',
      appPort: this.usecasesPort,
      configFile,
      redisHost: this.redis.address,
      appApiToken: APP_API_TOKEN,
    });

    this.budcluster = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      {
        DATABASE_URL: this.clusterDb.url,
        DATABASE_POOL_SIZE: String(this.clusterDb.poolSize),
        AUTH_JWT_SECRET: SECRET,
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        SECRETS_KEY: 'k'.repeat(64),
        DAPR_HTTP_PORT: String(await this.clusterSidecar.reservePort()),
        BUDUSECASES_URL: NOWHERE,
        OUTBOX_POLL_MS: '100',
        LOG_LEVEL: 'warn',
        DATA_DIR: join(this.dir, 'budcluster'),
      },
      clusterPort,
    );
    await this.budcluster.start();
    await this.clusterSidecar.start();
    await this.startUsecases();
    await this.usecasesSidecar.start();
  }

  /** (Re)starts budusecases on its port; its sidecar keeps running, as in a pod whose app container restarts. */
  async startUsecases(extraEnv: Record<string, string> = {}): Promise<void> {
    await this.budusecases?.stop();
    this.budusecases = new ServiceProcess(
      'dist/apps/budusecases/src/main.js',
      {
        DATABASE_URL: this.usecasesDb.url,
        DATABASE_POOL_SIZE: String(this.usecasesDb.poolSize),
        AUTH_JWT_SECRET: SECRET,
        SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
        DAPR_HTTP_PORT: String(await this.usecasesSidecar.reservePort()),
        APP_API_TOKEN,
        BUDCLUSTER_URL: NOWHERE,
        RECONCILE_TICK_MS: '200',
        LOG_LEVEL: 'warn',
        DATA_DIR: join(this.dir, 'budusecases'),
        ...extraEnv,
      },
      this.usecasesPort,
    );
    await this.budusecases.start();
  }

  /** A caller of a fresh tenant with every scope. */
  caller(): Promise<Caller> {
    return newCaller(SECRET, ['usecase:manage', 'usecase:view', 'job:view', 'job:manage', 'cluster:manage']);
  }

  /** Every process's recent output, for a failure message. */
  logs(): string {
    const tail = (name: string, lines: string[]) => `--- ${name}\n${lines.join('').slice(-4000)}`;
    return [
      tail('budcluster', this.budcluster?.output ?? []),
      tail('daprd budcluster', this.clusterSidecar?.output ?? []),
      tail('budusecases', this.budusecases?.output ?? []),
      tail('daprd budusecases', this.usecasesSidecar?.output ?? []),
    ].join('\n');
  }

  async stop(): Promise<void> {
    await this.usecasesSidecar?.stop();
    await this.budusecases?.stop();
    await this.clusterSidecar?.stop();
    await this.budcluster?.stop();
    await this.redis.stop();
    await Promise.all([this.clusterDb?.drop(), this.usecasesDb?.drop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
