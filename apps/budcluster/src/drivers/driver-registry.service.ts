import { Inject, Injectable } from '@nestjs/common';
import { Logger } from '@bud/logging';
import type { Clock } from '../domain/clock';
import type { JobModel } from '../domain/job-model';
import type { ClusterEntity } from '../entities';
import { ClusterRepository } from '../repositories/cluster.repository';
import { JobRepository } from '../repositories/job.repository';
import { toJobModel } from '../services/mappers';
import type { SecretBox } from '@bud/auth';
import { CLOCK, SECRET_BOX } from '../services/tokens';
import type { ClusterDriver, StatusSink } from './cluster-driver';
import { createDriver } from './driver-factory';
import { SimulatedDriver } from './simulated/simulated-driver';

export const DRIVER_SETTINGS = Symbol('DRIVER_SETTINGS');
export interface DriverSettings {
  kubernetesResyncMs: number;
  kubernetesOrphanGraceMs: number;
  simulatedResyncMs: number;
}

/** One driver per cluster, started lazily; placement failures become a failed job, never a lost one. */
@Injectable()
export class DriverRegistry {
  private readonly logger = new Logger('driver-registry');
  private readonly drivers = new Map<string, Promise<ClusterDriver>>();
  private readonly resyncTimers = new Map<string, NodeJS.Timeout>();
  private sink: StatusSink = async () => undefined;

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly jobs: JobRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(DRIVER_SETTINGS) private readonly settings: DriverSettings,
  ) {}

  /** Starts a driver for every cluster and reconciles it: pending jobs are placed, drift repaired. */
  async startAll(sink: StatusSink): Promise<void> {
    this.sink = sink;
    for (const cluster of await this.clusters.listAll()) {
      await this.driverFor(cluster).catch((error: unknown) => this.logger.error('driver failed to start', { cluster_id: cluster.id, error: (error as Error).message }));
    }
  }

  async stopAll(): Promise<void> {
    for (const timer of this.resyncTimers.values()) clearInterval(timer);
    this.resyncTimers.clear();
    const drivers = await Promise.allSettled(this.drivers.values());
    this.drivers.clear();
    await Promise.all(drivers.map((d) => (d.status === 'fulfilled' ? d.value.stop() : Promise.resolve())));
  }

  driverFor(cluster: ClusterEntity): Promise<ClusterDriver> {
    let driver = this.drivers.get(cluster.id);
    if (!driver) {
      driver = this.startDriver(cluster);
      driver.catch(() => this.drivers.delete(cluster.id));
      this.drivers.set(cluster.id, driver);
    }
    return driver;
  }

  async apply(cluster: ClusterEntity, job: JobModel): Promise<void> {
    await (await this.driverFor(cluster)).apply(job);
  }

  async remove(cluster: ClusterEntity, job: JobModel): Promise<void> {
    await (await this.driverFor(cluster)).remove(job);
  }

  async settingsChanged(cluster: ClusterEntity): Promise<void> {
    const driver = await this.driverFor(cluster);
    if (driver instanceof SimulatedDriver && cluster.settings) driver.updateSettings(cluster.settings);
  }

  async forget(clusterId: string): Promise<void> {
    clearInterval(this.resyncTimers.get(clusterId));
    this.resyncTimers.delete(clusterId);
    const driver = this.drivers.get(clusterId);
    this.drivers.delete(clusterId);
    if (driver) await (await driver).stop();
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

  private async startDriver(cluster: ClusterEntity): Promise<ClusterDriver> {
    const driver = createDriver(cluster, {
      clock: this.clock,
      openSealed: (sealed) => this.secrets.open(sealed),
      resyncIntervalMs: this.settings.kubernetesResyncMs,
      orphanGraceMs: this.settings.kubernetesOrphanGraceMs,
    });
    await driver.start(this.sink);
    const interval = cluster.type === 'simulated' ? this.settings.simulatedResyncMs : this.settings.kubernetesResyncMs;
    const timer = setInterval(() => {
      this.reconcile(cluster.id).catch((error: unknown) => this.logger.warn('resync failed', { cluster_id: cluster.id, error: (error as Error).message }));
    }, interval);
    timer.unref();
    this.resyncTimers.set(cluster.id, timer);
    // The start-up reconcile runs after the driver is registered, so it can find it.
    setImmediate(() => {
      this.reconcile(cluster.id).catch((error: unknown) => this.logger.warn('start-up reconcile failed', { cluster_id: cluster.id, error: (error as Error).message }));
    });
    return driver;
  }
}
