import { Client } from 'pg';
import { Logger } from '@bud/logging';
import type { ClusterOwnership, ClusterWork } from './cluster-ownership';

const WORK_CHANNEL = 'budcluster_cluster_work';
// The first key of the two-key advisory lock space ('budc'); the migration lock uses the one-key space.
const LOCK_NAMESPACE = 0x62756463;

export interface AdvisoryLockOwnershipOptions {
  databaseUrl: string;
  /** How often the registry calls heartbeat(). */
  checkMs: number;
  /** How long a query on the lock session may take before the session counts as lost. Default 5 s. */
  queryTimeoutMs?: number;
}

/**
 * One owner per cluster through session-level Postgres advisory locks on a dedicated connection: a
 * replica that dies (kill -9 included) closes its socket and the server frees its locks at once, so
 * another replica takes the clusters at its next attempt. The same session LISTENs for work handed over.
 */
export class AdvisoryLockOwnership implements ClusterOwnership {
  private readonly logger = new Logger('cluster-ownership');
  private readonly held = new Set<string>();
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private workListener: (work: ClusterWork) => void = () => undefined;
  private lostListener: () => void = () => undefined;
  private closed = false;

  constructor(private readonly options: AdvisoryLockOwnershipOptions) {}

  async acquire(clusterId: string): Promise<boolean> {
    if (this.held.has(clusterId)) return true;
    const rows = await this.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS taken', [
      LOCK_NAMESPACE,
      clusterId,
    ]);
    if (rows[0]?.taken) this.held.add(clusterId);
    return this.held.has(clusterId);
  }

  async release(clusterId: string): Promise<void> {
    if (!this.held.delete(clusterId)) return;
    await this.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, clusterId]);
  }

  async heartbeat(): Promise<void> {
    await this.query('SELECT 1');
  }

  onLost(listener: () => void): void {
    this.lostListener = listener;
  }

  async handOver(work: ClusterWork): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, JSON.stringify(work)]);
  }

  onWork(listener: (work: ClusterWork) => void): void {
    this.workListener = listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.session();
    try {
      return (await client.query(sql, params)).rows as T[];
    } catch (error) {
      // A failed or timed-out query leaves the session in doubt: end it, so its locks go with it.
      this.drop(client, error);
      throw error;
    }
  }

  private session(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('cluster ownership is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const queryTimeoutMs = this.options.queryTimeoutMs ?? 5000;
    const client = new Client({
      connectionString: this.options.databaseUrl,
      query_timeout: queryTimeoutMs,
      keepAlive: true,
      application_name: 'budcluster-cluster-owner',
    });
    client.on('error', (error) => this.drop(client, error));
    client.on('notification', (message) => this.deliver(message.payload));
    await client.connect();
    // A replica cut off from the server steps down within a check period plus a query timeout. The
    // server must not free its locks earlier, or two replicas would act at once.
    const idleSeconds = Math.ceil((this.options.checkMs + queryTimeoutMs) / 1000) + 1;
    await client.query(
      `SET tcp_keepalives_idle = ${idleSeconds}; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3; LISTEN ${WORK_CHANNEL}`,
    );
    this.client = client;
    return client;
  }

  private drop(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.held.size === 0) return;
    this.logger.warn('lost the cluster ownership session; stepping down', { clusters: this.held.size, error: (error as Error).message });
    this.held.clear();
    this.lostListener();
  }

  private deliver(payload: string | undefined): void {
    try {
      const work = JSON.parse(payload ?? '') as ClusterWork;
      if (typeof work.clusterId === 'string' && typeof work.jobId === 'string' && (work.action === 'apply' || work.action === 'remove'))
        this.workListener(work);
    } catch {
      this.logger.warn('ignored a malformed cluster work notification', { payload });
    }
  }
}
