import { Inject, Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import type { JobModel, VolumeModel } from '../domain/job-model';
import type { ClusterEvents, ClusterReachability, ManagedNamespace } from '../domain/namespace-model';
import type { GpuInventory } from '@bud/contracts';
import { activeJobStatuses } from '@bud/contracts';
import type { ClusterEntity, JobEntity } from '../entities';
import { ClusterRepository } from '../repositories/cluster.repository';
import { JobRepository } from '../repositories/job.repository';
import { QuotaRepository } from '../repositories/quota.repository';
import { toClusterQuotas } from '../services/quota.mapper';
import { VolumeRepository } from '../repositories/volume.repository';
import { toJobModel } from '../entities/job-model.mapper';
import type { SecretBox } from '@bud/auth';
import { CLOCK, SECRET_BOX } from '@bud/ports';
import { AdvisoryLockOwnership } from './advisory-lock-ownership';
import type { ClusterDriver, StatusSink } from './cluster-driver';
import { SoleOwnership } from './cluster-ownership';
import type { ClusterOwnership, ClusterWork } from './cluster-ownership';
import { createDriver } from './driver-factory';
import { SimulatedDriver } from './simulated/simulated-driver';

export const DRIVER_SETTINGS = Symbol('DRIVER_SETTINGS');
export interface DriverSettings {
  kubernetesResyncMs: number;
  kubernetesOrphanGraceMs: number;
  /** CLUSTER_PROBE_MS: how often kubernetes clusters' API servers are probed (docs/design.md#cluster-status). Default 10 s. */
  clusterProbeMs?: number;
  simulatedResyncMs: number;
  /** A PostgreSQL server: replicas share its clusters through advisory locks there. Unset: this process owns every cluster. */
  ownershipDatabaseUrl?: string;
  /** How often ownership is proven, clusters without an owner are taken and pending jobs swept. Default 2 s. */
  ownershipCheckMs?: number;
  /** CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: kubernetes clusters may have API servers on loopback, link-local, metadata or unspecified addresses. Default false. */
  allowPrivateClusterAddresses?: boolean;
}

/**
 * One driver per cluster, run only by the replica that owns the cluster; other replicas hand their
 * work to the owner. Placement failures become a failed job, never a lost one.
 */
@Injectable()
export class DriverRegistry implements BeforeApplicationShutdown {
  private readonly logger = new Logger('driver-registry');
  private readonly drivers = new Map<string, Promise<ClusterDriver>>();
  private readonly resyncTimers = new Map<string, NodeJS.Timeout>();
  /** Pending jobs this owner applied, so the pending sweep does not apply them again (pruned to what is still pending). */
  private readonly applied = new Map<string, Set<string>>();
  private readonly settingsVersions = new Map<string, number>();
  /** The isolation each owned cluster's namespaces were last rendered with (canonical JSON). */
  private readonly isolations = new Map<string, string>();
  /** The fingerprint of the quotas each owned cluster's driver was last given ('' when the cluster has none). */
  private readonly quotaFingerprints = new Map<string, string>();
  private isolationChanged: (cluster: ClusterEntity) => Promise<void> = async () => undefined;
  private readonly ownership: ClusterOwnership;
  private readonly checkMs: number;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;
  /** The ownership check under way, which stopAll waits out so it cannot start a driver after the stop. */
  private checkRun: Promise<void> = Promise.resolve();
  private stopping = false;
  private sink: StatusSink = async () => undefined;

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly jobs: JobRepository,
    private readonly volumes: VolumeRepository,
    private readonly quotas: QuotaRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(DRIVER_SETTINGS) private readonly settings: DriverSettings,
  ) {
    this.checkMs = settings.ownershipCheckMs ?? 2000;
    this.ownership = settings.ownershipDatabaseUrl
      ? new AdvisoryLockOwnership({ databaseUrl: settings.ownershipDatabaseUrl, checkMs: this.checkMs })
      : new SoleOwnership();
  }

  /** Takes every cluster nobody owns, starts its driver and reconciles it; then keeps doing so periodically. */
  async startAll(sink: StatusSink): Promise<void> {
    this.sink = sink;
    this.ownership.onWork((work) => void this.doHandedOver(work));
    this.ownership.onLost(
      () =>
        void this.stopDrivers().catch((error: unknown) => this.logger.error('stepping down failed', { error: (error as Error).message })),
    );
    this.stopping = false;
    await this.runCheck();
    this.checkTimer = setInterval(() => void this.runCheck(), this.checkMs);
    this.checkTimer.unref();
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    await this.checkRun;
    await this.stopDrivers();
    await this.ownership.close();
  }

  /** Nest closes the app on a signal too: stop before the DataSource is destroyed (TypeOrmModule's shutdown hook). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  /** Starts the cluster's driver if this replica owns the cluster or can take it; false when another replica owns it. */
  async claim(cluster: ClusterEntity): Promise<boolean> {
    if (this.drivers.has(cluster.id)) return true;
    // A driver started once the registry is stopping would outlive it (informers, resync) with nobody to stop it.
    if (this.stopping || !(await this.ownership.acquire(cluster.id)) || this.stopping) return false;
    if (!this.drivers.has(cluster.id)) this.logger.info('owning cluster', { cluster_id: cluster.id, type: cluster.type });
    await this.driverFor(cluster);
    return true;
  }

  /** The driver of a cluster this replica owns (API tests read the simulated cluster through it). */
  async driverOf(clusterId: string): Promise<ClusterDriver | undefined> {
    return this.drivers.get(clusterId);
  }

  /** The clusters whose driver runs in this replica. */
  ownedClusters(): string[] {
    return [...this.drivers.keys()];
  }

  async apply(cluster: ClusterEntity, job: JobModel): Promise<void> {
    const driver = this.drivers.get(cluster.id);
    if (!driver) return this.handOver({ clusterId: cluster.id, jobId: job.id, action: 'apply' });
    this.markApplied(cluster.id, job.id);
    await (await driver).apply(job);
  }

  async remove(cluster: ClusterEntity, job: JobModel): Promise<void> {
    const driver = this.drivers.get(cluster.id);
    if (!driver) return this.handOver({ clusterId: cluster.id, jobId: job.id, action: 'remove' });
    await (await driver).remove(job);
  }

  /**
   * Deletes a volume's claim when this replica owns the cluster; false otherwise, and the owner's check deletes the
   * volumes left `deleting` (docs/design.md#volumes).
   */
  async deleteVolume(cluster: ClusterEntity, volume: VolumeModel): Promise<boolean> {
    const driver = this.drivers.get(cluster.id);
    if (!driver) return false;
    await (await driver).deleteVolume(volume);
    return true;
  }

  /**
   * Creates or confirms a tenant's namespace on the cluster (docs/design.md#namespaces). A replica that does not own
   * the cluster cannot: false, and the owner's apply ensures it (failing the job if the cluster refuses it).
   */
  async ensureNamespace(cluster: ClusterEntity, namespace: ManagedNamespace): Promise<boolean> {
    const driver = this.drivers.get(cluster.id);
    if (!driver) return false;
    await (await driver).ensureNamespace(namespace);
    return true;
  }

  /** Deletes a namespace budcluster created (the driver leaves any other alone); only the owner does. */
  async deleteNamespace(cluster: ClusterEntity, namespace: string): Promise<void> {
    const driver = this.drivers.get(cluster.id);
    if (driver) await (await driver).deleteNamespace(namespace);
  }

  /** Who renders a cluster's managed namespaces again when its isolation changes (docs/design.md#namespaces). */
  onIsolationChanged(listener: (cluster: ClusterEntity) => Promise<void>): void {
    this.isolationChanged = listener;
  }

  /**
   * The owner applies new settings and isolation itself; other replicas' owners see them at their next check, since
   * an update bumps the cluster's version.
   */
  async settingsChanged(cluster: ClusterEntity): Promise<void> {
    const driver = this.drivers.get(cluster.id);
    if (!driver) return;
    this.settingsVersions.set(cluster.id, cluster.version);
    const started = await driver;
    if (started instanceof SimulatedDriver && cluster.settings) started.updateSettings(cluster.settings);
    const isolation = JSON.stringify(cluster.isolation ?? null);
    if (this.isolations.get(cluster.id) === isolation) return;
    this.isolations.set(cluster.id, isolation);
    void this.isolationChanged(cluster).catch((error: unknown) =>
      this.logger.warn('namespaces not rendered again', { cluster_id: cluster.id, error: (error as Error).message }),
    );
  }

  /**
   * A quota of the cluster changed (docs/design.md#quotas): the owner hands the driver the cluster's quotas now; other
   * replicas' owners see the change at their next check, by the quotas' fingerprint.
   */
  async quotasChanged(clusterId: string): Promise<void> {
    const driver = this.drivers.get(clusterId);
    if (!driver) return;
    await this.handQuotas(clusterId, await driver);
  }

  async forget(clusterId: string): Promise<void> {
    await this.stopDriver(clusterId);
    await this.ownership.release(clusterId);
  }

  /** Kubernetes API requests made so far by the drivers that started. */
  async apiCalls(): Promise<number> {
    const drivers = await Promise.allSettled(this.drivers.values());
    return drivers.reduce((total, d) => total + (d.status === 'fulfilled' ? d.value.apiCalls : 0), 0);
  }

  /** Places pending jobs and repairs drift; also run periodically. */
  async reconcile(clusterId: string): Promise<void> {
    const driver = this.drivers.get(clusterId);
    if (!driver) return;
    const active = (await this.jobs.activeOnCluster(clusterId)).map(toJobModel);
    await (await driver).reconcile(active);
  }

  private async handOver(work: ClusterWork): Promise<void> {
    // Undelivered work is not lost: the owner's pending sweep (or a new owner's start-up reconcile) finds it.
    await this.ownership
      .handOver(work)
      .catch((error: unknown) =>
        this.logger.warn('could not hand work to the cluster owner', { ...workFields(work), error: (error as Error).message }),
      );
  }

  private runCheck(): Promise<void> {
    if (!this.checking) this.checkRun = this.checkOwnership();
    return this.checkRun;
  }

  private async checkOwnership(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.ownership.heartbeat();
      const clusters = await this.clusters.listAll();
      const present = new Set(clusters.map((cluster) => cluster.id));
      for (const clusterId of [...this.drivers.keys()]) if (!present.has(clusterId)) await this.forget(clusterId);
      const quotaFingerprints = await this.quotas.fingerprints(this.ownedClusters());
      for (const cluster of clusters) {
        const owned = this.drivers.has(cluster.id);
        if (!(await this.claim(cluster).catch((error: unknown) => this.driverFailed(cluster, error)))) continue;
        if (owned) await this.catchUp(cluster, quotaFingerprints.get(cluster.id) ?? '');
      }
    } catch (error) {
      this.logger.warn('cluster ownership check failed', { error: (error as Error).message });
    } finally {
      this.checking = false;
    }
  }

  /** What other replicas changed on an owned cluster: settings, quotas, and pending jobs whose hand-over was lost. */
  private async catchUp(cluster: ClusterEntity, quotaFingerprint: string): Promise<void> {
    if (this.settingsVersions.get(cluster.id) !== cluster.version) await this.settingsChanged(cluster);
    if (this.quotaFingerprints.get(cluster.id) !== quotaFingerprint)
      await this.quotasChanged(cluster.id).catch((error: unknown) =>
        this.logger.warn('quotas not handed to the driver', { cluster_id: cluster.id, error: (error as Error).message }),
      );
    await this.deleteLeftVolumes(cluster.id);
    const pendingIds = await this.jobs.pendingIdsOnCluster(cluster.id);
    const driver = this.drivers.get(cluster.id);
    if (!driver) return;
    const seen = this.applied.get(cluster.id);
    const applied = new Set(pendingIds.filter((id) => seen?.has(id)));
    this.applied.set(cluster.id, applied);
    const missed = pendingIds.filter((id) => !applied.has(id));
    if (missed.length === 0) return;
    const started = await driver;
    for (const job of await this.jobs.pendingByIds(cluster.id, missed)) if (!applied.has(job.id)) this.place(cluster.id, started, job);
  }

  /** Volumes other replicas marked `deleting`: their claims go here, then their rows. */
  private async deleteLeftVolumes(clusterId: string): Promise<void> {
    const driver = this.drivers.get(clusterId);
    if (!driver) return;
    for (const volume of await this.volumes.deletingOnCluster(clusterId)) {
      try {
        await (await driver).deleteVolume(volume);
        await this.volumes.delete(volume.id);
      } catch (error) {
        this.logger.warn('volume deletion failed; retrying at the next check', { volume_id: volume.id, error: (error as Error).message });
      }
    }
  }

  private async doHandedOver(work: ClusterWork): Promise<void> {
    const driver = this.drivers.get(work.clusterId);
    if (!driver) return;
    try {
      const job = await this.jobs.findById(work.jobId);
      if (!job || job.clusterId !== work.clusterId) return;
      if (work.action === 'remove') await (await driver).remove(toJobModel(job));
      else if (job.status === 'pending') this.place(work.clusterId, await driver, job);
      // An in-place update of a placed job (docs/design.md#in-place-update): the driver applies the newer generation.
      else if (activeJobStatuses.includes(job.status)) await (await driver).apply(toJobModel(job));
    } catch (error) {
      this.logger.warn('handed-over work failed', { ...workFields(work), error: (error as Error).message });
    }
  }

  private place(clusterId: string, driver: ClusterDriver, job: JobEntity): void {
    const model = toJobModel(job);
    this.markApplied(clusterId, job.id);
    driver.apply(model).catch(async (error: unknown) => {
      this.logger.warn('placement failed', { job_id: job.id, cluster_id: clusterId, error: (error as Error).message });
      await this.sink({ jobId: job.id, status: 'failed', reason: 'ApplyFailed', message: (error as Error).message }).catch(
        (inner: unknown) => this.logger.error('could not record placement failure', { job_id: job.id, error: (inner as Error).message }),
      );
    });
  }

  /** Reads the cluster's quotas and gives them to its driver, remembering what it was given. */
  private async handQuotas(clusterId: string, driver: ClusterDriver): Promise<void> {
    const rows = await this.quotas.listOfCluster(clusterId);
    const fingerprint = [...rows]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((row) => `${row.id}:${row.version}`)
      .join(',');
    this.quotaFingerprints.set(clusterId, fingerprint);
    driver.updateQuotas(toClusterQuotas(rows));
  }

  private markApplied(clusterId: string, jobId: string): void {
    const applied = this.applied.get(clusterId) ?? new Set<string>();
    this.applied.set(clusterId, applied);
    applied.add(jobId);
  }

  private driverFailed(cluster: ClusterEntity, error: unknown): boolean {
    this.logger.error('driver failed to start', { cluster_id: cluster.id, error: (error as Error).message });
    return false;
  }

  private driverFor(cluster: ClusterEntity): Promise<ClusterDriver> {
    let driver = this.drivers.get(cluster.id);
    if (!driver) {
      driver = this.startDriver(cluster);
      driver.catch(() => this.drivers.delete(cluster.id));
      this.drivers.set(cluster.id, driver);
      this.settingsVersions.set(cluster.id, cluster.version);
      this.isolations.set(cluster.id, JSON.stringify(cluster.isolation ?? null));
    }
    return driver;
  }

  private async stopDrivers(): Promise<void> {
    await Promise.all([...this.drivers.keys()].map((clusterId) => this.stopDriver(clusterId)));
  }

  private async stopDriver(clusterId: string): Promise<void> {
    clearInterval(this.resyncTimers.get(clusterId));
    this.resyncTimers.delete(clusterId);
    this.applied.delete(clusterId);
    this.settingsVersions.delete(clusterId);
    this.isolations.delete(clusterId);
    this.quotaFingerprints.delete(clusterId);
    const driver = this.drivers.get(clusterId);
    this.drivers.delete(clusterId);
    if (driver) await (await driver.catch(() => undefined))?.stop();
  }

  /** Inventory and reachability the owner's driver observes, recorded on the cluster row (docs/design.md#cluster-status). */
  private clusterEvents(clusterId: string): ClusterEvents {
    return {
      inventory: async (inventory: GpuInventory) => {
        await this.clusters.recordInventory(clusterId, inventory, new Date(this.clock.now()));
      },
      reachability: async (reachability: ClusterReachability) => {
        const changed = await this.clusters.recordReachability(clusterId, reachability, new Date(this.clock.now()));
        if (changed) this.logger.info('cluster reachability changed', { cluster_id: clusterId, ...reachability });
      },
    };
  }

  private async startDriver(cluster: ClusterEntity): Promise<ClusterDriver> {
    const driver = await createDriver(cluster, {
      clock: this.clock,
      openSealed: (sealed) => this.secrets.open(sealed),
      resyncIntervalMs: this.settings.kubernetesResyncMs,
      orphanGraceMs: this.settings.kubernetesOrphanGraceMs,
      probeIntervalMs: this.settings.clusterProbeMs,
      allowPrivateAddresses: this.settings.allowPrivateClusterAddresses ?? false,
    });
    await driver.start(this.sink, this.clusterEvents(cluster.id));
    // Before any job reaches the driver: placements wait for this promise, so they are admitted under the quotas. A
    // failed read leaves no fingerprint, so the next check hands them over.
    await this.handQuotas(cluster.id, driver).catch((error: unknown) =>
      this.logger.warn('quotas not handed to the driver; retrying at the next check', {
        cluster_id: cluster.id,
        error: (error as Error).message,
      }),
    );
    const interval = cluster.type === 'simulated' ? this.settings.simulatedResyncMs : this.settings.kubernetesResyncMs;
    const timer = setInterval(() => {
      this.reconcile(cluster.id).catch((error: unknown) =>
        this.logger.warn('resync failed', { cluster_id: cluster.id, error: (error as Error).message }),
      );
    }, interval);
    timer.unref();
    this.resyncTimers.set(cluster.id, timer);
    // The start-up reconcile runs after the driver is registered, so it can find it.
    setImmediate(() => {
      this.reconcile(cluster.id).catch((error: unknown) =>
        this.logger.warn('start-up reconcile failed', { cluster_id: cluster.id, error: (error as Error).message }),
      );
    });
    return driver;
  }
}

function workFields(work: ClusterWork): Record<string, string> {
  return { cluster_id: work.clusterId, job_id: work.jobId, action: work.action };
}
