import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { signToken } from '@bud/auth';
import { deploymentStatuses, scopes } from '@bud/contracts';
import { ServiceProcess, freePort, TEST_SERVICE_TOKEN_SECRET } from '@bud/testing';
import { freshDatabase } from './bench-database';
import { request } from './http-client';

const SECRET = 'bench-secret-of-at-least-32-characters!';
export const CLUSTER_ENTRY = 'dist/apps/budcluster/src/main.js';
export const USECASES_ENTRY = 'dist/apps/budusecases/src/main.js';
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
export const POLL_MS = 5;

/** Extra environment per service process. */
export interface ExtraEnv {
  budcluster?: Record<string, string>;
  budusecases?: Record<string, string>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Deployment {
  id: string;
  status: string;
  status_message: string | null;
  components?: Array<{
    id: string;
    status: string;
    job_id: string | null;
    job_status: string | null;
    generation?: number | null;
    health?: string | null;
  }>;
}

/** budcluster and budusecases as two processes on fresh databases, wired to each other over HTTP. */
export class Services {
  private constructor(
    readonly cluster: ServiceProcess,
    readonly usecases: ServiceProcess,
    readonly headers: Record<string, string>,
    private readonly cleanup: Array<() => Promise<void>>,
  ) {}

  static async start(serverUrl: string, label: string, extraEnv: ExtraEnv = {}): Promise<Services> {
    const cleanup: Array<() => Promise<void>> = [];
    const services: ServiceProcess[] = [];
    const stopAll = async () => {
      for (const service of services.reverse()) await service.stop().catch(() => undefined);
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
    };
    try {
      // Without a server (BENCH_DATABASE_URL/TEST_DATABASE_URL) each service starts its own embedded Postgres in DATA_DIR.
      const server = Boolean(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL);
      const databaseEnv = async (): Promise<Record<string, string>> => {
        if (!server) return {};
        const db = await freshDatabase(serverUrl);
        cleanup.push(() => db.drop());
        return { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10' };
      };
      const [clusterPort, usecasesPort] = [await freePort(), await freePort()];
      const dataDir = `/tmp/bud-bench-${label}-${randomUUID()}`;
      cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const nodeArgs = process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      // Product defaults for poll and tick intervals: the measures include what a real install waits for.
      const cluster = new ServiceProcess(
        CLUSTER_ENTRY,
        {
          ...(await databaseEnv()),
          AUTH_JWT_SECRET: SECRET,
          SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
          SECRETS_KEY: 'b'.repeat(64),
          LOCAL_CLUSTER: 'false',
          BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
          LOG_LEVEL: 'error',
          DATA_DIR: dataDir,
          ...extraEnv.budcluster,
        },
        clusterPort,
        nodeArgs,
      );
      services.push(cluster);
      await cluster.start(60_000);
      const usecases = new ServiceProcess(
        USECASES_ENTRY,
        {
          ...(await databaseEnv()),
          AUTH_JWT_SECRET: SECRET,
          SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
          BUDCLUSTER_URL: cluster.url,
          LOG_LEVEL: 'error',
          DATA_DIR: dataDir,
          ...extraEnv.budusecases,
        },
        usecasesPort,
        nodeArgs,
      );
      services.push(usecases);
      await usecases.start(60_000);
      const granted = scopes.filter((s) => s !== 'platform:admin');
      const token = await signToken(SECRET, { sub: randomUUID(), tenant_id: randomUUID(), scopes: granted }, 4 * 3600);
      return new Services(cluster, usecases, { authorization: `Bearer ${token}` }, [stopAll]);
    } catch (error) {
      const tail = services.map((s) => s.output.join('').slice(-2000)).join('\n');
      await stopAll();
      throw new Error(`${(error as Error).message}\n${tail}`);
    }
  }

  async stop(): Promise<void> {
    for (const step of this.cleanup) await step();
  }

  /** The services' last output, for an error that happened while they ran. */
  tails(): string {
    const tail = (name: string, s: ServiceProcess) =>
      `--- ${name}${(s as unknown as { exited?: boolean }).exited ? ' (exited)' : ''}:\n${s.output.join('').slice(-3000)}`;
    return `${tail('budcluster', this.cluster)}\n${tail('budusecases', this.usecases)}`;
  }

  /** Runs `work`; a failure carries the services' output. */
  async explain<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new Error(`${(error as Error).stack ?? String(error)}\n${this.tails()}`);
    }
  }

  async call<T>(
    service: ServiceProcess,
    method: string,
    path: string,
    body?: unknown,
    expect?: number,
  ): Promise<{ status: number; body: T }> {
    const answer = await request(`${service.url}${path}`, method, body, this.headers);
    if (expect !== undefined && answer.status !== expect)
      throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    return { status: answer.status, body: (answer.body ? JSON.parse(answer.body) : undefined) as T };
  }

  /** A simulated cluster of the caller's tenant: no delays, GPUs for every deployment of the bench. */
  async fastCluster(extraSettings: Record<string, unknown> = {}): Promise<string> {
    const settings = {
      ...extraSettings,
      admit_delay_ms: 0,
      ready_delay_ms: 0,
      batch_run_ms: 0,
      gpu_capacity: { 'A100-80GB': 100_000, 'H100-80GB': 100_000 },
    };
    const created = await this.call<{ id: string }>(
      this.cluster,
      'POST',
      '/api/v1/clusters',
      { name: `bench-${randomUUID().slice(0, 8)}`, type: 'simulated', settings },
      201,
    );
    return created.body.id;
  }

  async deploy(clusterId: string, templateId: string, parameters: Record<string, unknown> = {}): Promise<string> {
    const body = {
      template_id: templateId,
      name: `b-${randomUUID().slice(0, 12)}`,
      cluster_id: clusterId,
      parameters: { model_id: MODEL, ...parameters },
    };
    return (await this.call<{ id: string }>(this.usecases, 'POST', '/api/v1/deployments', body, 201)).body.id;
  }

  async deployment(id: string): Promise<Deployment> {
    return (await this.call<Deployment>(this.usecases, 'GET', `/api/v1/deployments/${id}`, undefined, 200)).body;
  }

  /** Polls every POLL_MS until the deployment shows one of `statuses`; resolves with when it was seen. */
  async until(id: string, statuses: readonly string[], timeoutMs = 60_000): Promise<{ at: number; deployment: Deployment }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const deployment = await this.deployment(id);
      const at = performance.now();
      if (statuses.includes(deployment.status)) return { at, deployment };
      if (deployment.status === 'failed' && !statuses.includes('failed'))
        throw new Error(`deployment ${id} failed: ${deployment.status_message}`);
      if (at > deadline) throw new Error(`deployment ${id} still ${deployment.status} after ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
  }

  async countByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    await Promise.all(
      deploymentStatuses.map(async (status) => {
        const page = await this.call<{ total: number }>(
          this.usecases,
          'GET',
          `/api/v1/deployments?status=${status}&page_size=1`,
          undefined,
          200,
        );
        if (page.body.total > 0) counts[status] = page.body.total;
      }),
    );
    return counts;
  }
}
