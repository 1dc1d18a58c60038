import type { LookupFunction } from 'node:net';
import type { ClusterIsolation } from '@bud/contracts';
import { type KubernetesObject, VersionApi } from '@kubernetes/client-node';
import { Logger } from '@bud/logging';
import { type Clock, systemClock } from '@bud/ports';
import type { JobModel, VolumeModel } from '../../domain/job-model';
import type { ClusterEvents, ManagedNamespace } from '../../domain/namespace-model';
import type { ClusterQuotas } from '../../domain/quota-model';
import { type KubernetesObject as ManifestObject, renderManifests, serviceOutputs } from '../../domain/manifests';
import type { ClusterDriver, StatusSink } from '../cluster-driver';
import { ClusterProbe } from './cluster-probe';
import { InformerSupervisor } from './informer-supervisor';
import { InstrumentedKubeConfig } from './instrumented-kube-config';
import { httpStatus, KubeClient } from './kube-client';
import { KueueQueues } from './kueue-queues';
import { QueueBook, WORKLOAD } from './kueue-workloads';
import type { ManagedObject } from './managed-object';
import { NamespaceApplier } from './namespace-apply';
import { NodeInventoryWatch } from './node-inventory-watch';
import { planReconcile } from './reconcile-plan';
import { BATCH_JOB, PVC, WATCHED_KINDS } from './resource-kinds';
import { SerialReporter } from './serial-reporter';
import { TrackedJobs } from './tracked-jobs';
import { type DriverLogger, WatchEventHandler } from './watch-event-handler';

export interface KubernetesDriverOptions {
  clusterId: string;
  /** Default 5 min (docs/design.md#drivers). */
  resyncIntervalMs?: number;
  /** Its timers (when it has them) run the reachability probe and the inventory debounce; else the system's. */
  clock: Pick<Clock, 'now'> & Partial<Pick<Clock, 'setTimeout' | 'clearTimeout'>>;
  /** CLUSTER_PROBE_MS: how often the API server is asked whether it answers (docs/design.md#cluster-status). Default 10 s. */
  probeIntervalMs?: number;
  /** How long node changes settle before the GPU inventory is computed and reported. Default 1 s. */
  inventoryDebounceMs?: number;
  /**
   * Every active job of this cluster. When given, the driver reconciles against it every resyncIntervalMs
   * after start(); without it the owner schedules `reconcile()` (as DriverRegistry does), so lists are not doubled.
   */
  listActiveJobs?: () => Promise<JobModel[]>;
  /** Labelled objects and applies younger than this are never treated as orphans or missing. Default 2 min. */
  orphanGraceMs?: number;
  /** Bounds each request other than watches, so a hung API server cannot stall apply or reconcile. Default 30 s. */
  requestTimeoutMs?: number;
  /** Opens a job's sealed `secret_env` (SECRETS_KEY) for the Secret it is given through. */
  openSecret?: (sealed: string) => string;
  /** Resolves the API server's host for every connection (the forbidden-address guard); default node:dns. */
  connectLookup?: LookupFunction;
  logger?: DriverLogger;
  /** The cluster's isolation (docs/design.md#namespaces), for a namespace a job's apply creates before any claim rendered one. */
  isolation?: ClusterIsolation;
}

export interface ReconcileOptions {
  /**
   * Whether `activeJobs` is every active job of the cluster. Only then are other labelled objects orphans
   * and deleted; pass false for a partial list. Default true, as the ClusterDriver contract promises.
   */
  allActiveJobs?: boolean;
}

/** Places jobs on a real cluster with server-side apply and follows them by watch (docs/design.md#drivers). */
export class KubernetesDriver implements ClusterDriver {
  private readonly kubeConfig: InstrumentedKubeConfig;
  private readonly client: KubeClient;
  private readonly handler: WatchEventHandler;
  private readonly informers: InformerSupervisor;
  private readonly logger: DriverLogger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly resyncIntervalMs: number;
  private readonly graceMs: number;
  private readonly jobs: TrackedJobs;
  private readonly reporter: SerialReporter;
  private readonly probe: ClusterProbe;
  private readonly nodes: NodeInventoryWatch;
  /** The cluster's Kueue objects (docs/design.md#quotas, "On Kubernetes"); idle on a cluster without Kueue. */
  private readonly kueue: KueueQueues;
  private nodesWatched = false;
  /** The cluster serves Kueue's API (set once asked). */
  private kueueActive = false;
  private events: ClusterEvents | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    kubeconfig: string,
    private readonly options: KubernetesDriverOptions,
  ) {
    this.kubeConfig = new InstrumentedKubeConfig(options.requestTimeoutMs ?? 30_000, options.connectLookup);
    this.kubeConfig.loadFromString(kubeconfig);
    if (!this.kubeConfig.getCurrentCluster()) throw new Error(`kubeconfig of cluster ${options.clusterId} names no current cluster`);
    this.logger = options.logger ?? new Logger('kubernetes-driver');
    this.clock = options.clock;
    this.resyncIntervalMs = options.resyncIntervalMs ?? 300_000;
    this.graceMs = options.orphanGraceMs ?? 120_000;
    this.jobs = new TrackedJobs(this.graceMs);
    this.reporter = new SerialReporter(options.clusterId, this.logger);
    this.client = new KubeClient(this.kubeConfig);
    this.handler = new WatchEventHandler({
      clusterId: options.clusterId,
      logger: this.logger,
      lookupJob: (jobId) => this.jobs.get(jobId),
      report: (observed) => this.reporter.report(observed),
      queueBook: new QueueBook(),
      kueueActive: () => this.kueueActive,
    });
    this.informers = new InformerSupervisor({
      clusterId: options.clusterId,
      kubeConfig: this.kubeConfig,
      client: this.client,
      logger: this.logger,
      onObject: (verb, kind, object) =>
        kind === WORKLOAD ? this.handler.handleWorkload(verb, object) : void this.handler.handle(verb, kind, object),
      absentKindRetryMs: this.resyncIntervalMs,
      // Kueue's Workloads say whether a job waits for quota, holds it or was preempted; absent without Kueue.
      kinds: [...WATCHED_KINDS, WORKLOAD],
    });
    const timers = options.clock.setTimeout && options.clock.clearTimeout ? (options.clock as Clock) : systemClock;
    const probeIntervalMs = options.probeIntervalMs ?? 10_000;
    const version = this.kubeConfig.makeApiClient(VersionApi);
    this.probe = new ClusterProbe({
      clusterId: options.clusterId,
      intervalMs: probeIntervalMs,
      timeoutMs: Math.min(probeIntervalMs, options.requestTimeoutMs ?? 30_000),
      clock: timers,
      // Any HTTP answer means the API server is there: a 403 right after its restart (RBAC not warmed up yet) or a
      // revoked token shows in the calls that need rights, not as an unreachable cluster.
      check: async () => {
        await version.getCode().catch((err: unknown) => {
          if (httpStatus(err) === undefined) throw err;
        });
      },
      report: async (reachability) => this.events?.reachability(reachability),
      logger: this.logger,
    });
    this.nodes = new NodeInventoryWatch({
      clusterId: options.clusterId,
      kubeConfig: this.kubeConfig,
      clock: timers,
      logger: this.logger,
      debounceMs: options.inventoryDebounceMs,
      report: async (inventory) => {
        // Kueue's flavors and the pool's quota follow the inventory.
        this.kueue.setInventory(inventory);
        await this.events?.inventory(inventory);
      },
    });
    this.kueue = new KueueQueues(this.client, options.clusterId, this.logger);
  }

  get apiCalls(): number {
    return this.kubeConfig.requests;
  }

  /** Without `events` nobody records inventory or reachability, so neither nodes nor the API server's health is watched. */
  async start(sink: StatusSink, events?: ClusterEvents): Promise<void> {
    this.reporter.attach(sink);
    this.informers.start();
    if (events) {
      this.events = events;
      this.startNodes();
      this.probe.start();
    } else {
      // Kueue's flavors and pool need the GPU inventory even when nobody records it.
      void this.client.hasKueue().then(
        (kueue) => kueue && this.startNodes(),
        () => undefined,
      );
    }
    void this.client.hasKueue().then(
      (kueue) => (this.kueueActive = kueue),
      () => undefined,
    );
    void this.kueue.sync().catch(() => undefined);
    if (this.options.listActiveJobs && !this.resyncTimer) {
      this.resyncTimer = setInterval(() => void this.resync(), this.resyncIntervalMs);
      this.resyncTimer.unref();
    }
  }

  private startNodes(): void {
    if (this.nodesWatched) return;
    this.nodesWatched = true;
    this.nodes.start();
  }

  async stop(): Promise<void> {
    this.kueue.stop();
    this.nodesWatched = false;
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    await Promise.all([this.informers.stop(), this.nodes.stop(), this.probe.stop()]);
    await this.reporter.drained();
  }

  private namespaceApplier: NamespaceApplier | undefined;

  /** Claims and renders managed namespaces (docs/design.md#namespaces); made on first use. */
  private get namespaces(): NamespaceApplier {
    this.namespaceApplier ??= new NamespaceApplier(this.client, this.options.isolation);
    return this.namespaceApplier;
  }

  async apply(job: JobModel): Promise<void> {
    this.jobs.applied(job, this.clock.now());
    this.handler.forget(job.id);
    const kueue = await this.client.hasKueue();
    this.kueueActive = kueue;
    const objects = renderManifests(job, { kueue, secretEnv: this.secretEnvOf(job) });
    if (kueue && job.status !== 'pending') await this.keepSuspension(objects);
    // The job's own namespace, for its tenant: no call once this process has made sure of it.
    await this.namespaces.ensureForJob({ name: job.namespace, tenantId: job.tenantId, projectId: job.projectId });
    // Its tenant's ClusterQueue and the namespace's LocalQueue before its Workload is made: no call once applied.
    if (kueue) await this.kueue.ensureNamespace(job.namespace, job.tenantId);
    try {
      for (const object of objects) await this.client.apply(object, (uid) => this.handler.expectDeletion(uid));
    } catch (err) {
      // The namespace may have been deleted behind our back: check it again next time.
      if (httpStatus(err) === 404) {
        this.namespaces.forget(job.namespace);
        this.kueue.forgetNamespace(job.namespace);
      }
      throw err;
    }
  }

  /**
   * A placed batch Job under Kueue is applied again (an in-place update, a priority change) with the suspension Kueue
   * gave it: the rendered `suspend: true` would stop a running Job that Kueue admitted. One read per such apply.
   */
  private async keepSuspension(objects: readonly ManifestObject[]): Promise<void> {
    for (const object of objects) {
      if (object.kind !== BATCH_JOB.kind || object.apiVersion !== BATCH_JOB.apiVersion || !('spec' in object)) continue;
      const found = await this.client.readIfPresent(object);
      const suspend = (found as { spec?: { suspend?: unknown } } | undefined)?.spec?.suspend;
      if (typeof suspend === 'boolean') (object.spec as { suspend?: boolean }).suspend = suspend;
    }
  }

  private secretEnvOf(job: JobModel): Record<string, string> | undefined {
    if (!job.secretEnvSealed) return undefined;
    if (!this.options.openSecret)
      throw new Error(`job ${job.id} has secret_env but the driver of cluster ${this.options.clusterId} cannot open it`);
    return JSON.parse(this.options.openSecret(job.secretEnvSealed)) as Record<string, string>;
  }

  async remove(job: JobModel): Promise<void> {
    // Untracked first, so the deletions the watch reports are not mistaken for drift.
    this.jobs.removed(job.id);
    this.handler.forget(job.id);
    const objects = renderManifests(job, { kueue: await this.client.hasKueue() });
    // Claims stay: the volumes table owns them (docs/design.md#volumes).
    for (const object of objects.reverse()) if (object.kind !== PVC.kind) await this.client.delete(object);
  }

  async deleteVolume(volume: VolumeModel): Promise<void> {
    await this.client.delete({
      apiVersion: PVC.apiVersion,
      kind: PVC.kind,
      metadata: { name: volume.claimName, namespace: volume.namespace },
    });
  }

  async ensureNamespace(namespace: ManagedNamespace): Promise<void> {
    await this.namespaces.ensure(namespace);
    await this.kueue.ensureNamespace(namespace.name, namespace.tenantId);
  }

  /** The cluster's quotas (docs/design.md#quotas): its tenants' ClusterQueues and the pool are applied again. */
  updateQuotas(quotas: ClusterQuotas): void {
    this.kueue.setQuotas(quotas);
  }

  async deleteNamespace(namespace: string): Promise<void> {
    this.namespaces.forget(namespace);
    this.kueue.forgetNamespace(namespace);
    const outcome = await this.client.deleteManagedNamespace(namespace);
    if (outcome === 'not-managed') {
      this.logger.info('leaving a namespace budcluster did not create', { cluster_id: this.options.clusterId, namespace });
    }
  }

  async reconcile(activeJobs: JobModel[], options: ReconcileOptions = {}): Promise<void> {
    const allActiveJobs = options.allActiveJobs ?? true;
    const now = this.clock.now();
    const objects = await this.client.listManaged((kind, problem) =>
      this.logger.warn('skipping malformed object in resync list', { cluster_id: this.options.clusterId, kind: kind.kind, problem }),
    );
    const plan = planReconcile({
      activeJobs,
      objects,
      allActiveJobs,
      now,
      graceMs: this.graceMs,
      appliedAt: (id) => this.jobs.appliedAt(id),
    });
    this.jobs.reconciled(activeJobs, allActiveJobs, now);
    for (const tenantId of new Set(activeJobs.map((job) => job.tenantId))) {
      await this.kueue.ensureTenant(tenantId).catch(() => undefined);
    }
    for (const job of plan.missing) {
      this.handler.forget(job.id);
      this.reporter.report({
        jobId: job.id,
        status: 'failed',
        reason: 'ResourceMissing',
        message: `the job's objects are gone from namespace ${job.namespace}`,
      });
    }
    for (const { job, derived } of plan.stale) {
      // Under Kueue whether a job waits or holds quota is its Workloads' to say (the Workload informer reports it).
      if (this.kueueActive && (derived.status === 'queued' || derived.status === 'admitted')) continue;
      const outputs = derived.status === 'running' && job.jobType === 'service' ? serviceOutputs(job) : undefined;
      this.reporter.report({ jobId: job.id, ...derived, ...(outputs ? { outputs } : {}) });
    }
    for (const orphan of plan.orphans) {
      const fields = {
        cluster_id: this.options.clusterId,
        job_id: orphan.jobId,
        kind: orphan.kind.kind,
        namespace: orphan.namespace,
        name: orphan.name,
      };
      this.logger.info('deleting orphaned object', fields);
      // Outside its managed namespaces budcluster may not delete (403): one such object does not stop the sweep.
      await this.client
        .delete(toReference(orphan))
        .catch((err: unknown) => this.logger.warn('could not delete orphaned object', { ...fields, error: String(err) }));
    }
    // A priority_class change reaches Kueue through the job's priority-class label: applied again, Kueue re-orders.
    for (const { job } of plan.reprioritize) {
      this.logger.info('applying a changed priority class', {
        cluster_id: this.options.clusterId,
        job_id: job.id,
        priority: job.priorityClass,
      });
      await this.apply(job).catch((err: unknown) =>
        this.logger.warn('applying a changed priority class failed; next resync retries', {
          cluster_id: this.options.clusterId,
          job_id: job.id,
          error: String(err),
        }),
      );
    }
    for (const job of plan.place) {
      await this.apply(job).catch((err: unknown) =>
        this.logger.warn('placing pending job failed; next resync retries', {
          cluster_id: this.options.clusterId,
          job_id: job.id,
          error: String(err),
        }),
      );
    }
  }

  private async resync(): Promise<void> {
    try {
      const listActiveJobs = this.options.listActiveJobs;
      if (listActiveJobs) await this.reconcile(await listActiveJobs(), { allActiveJobs: true });
    } catch (err) {
      this.logger.warn('resync failed', { cluster_id: this.options.clusterId, error: String(err) });
    }
  }
}

function toReference(object: ManagedObject): KubernetesObject {
  return { apiVersion: object.kind.apiVersion, kind: object.kind.kind, metadata: { name: object.name, namespace: object.namespace } };
}
