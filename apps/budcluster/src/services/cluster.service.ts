import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@bud/auth';
import { hasScope, requireScope } from '@bud/auth';
import { clusterIsolationSchema, priceTableSchema, simulatedSettingsSchema } from '@bud/contracts';
import type { ClusterResponse, CreateClusterRequest, Page, PriceTable, UpdateClusterRequest } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Logger } from '@bud/logging';
import type { Clock } from '@bud/ports';
import { DRIVER_SETTINGS, DriverRegistry } from '../drivers/driver-registry.service';
import type { DriverSettings } from '../drivers/driver-registry.service';
import { validateKubeconfig } from '../drivers/kubernetes-on-demand';
import { priceCapIssue } from '../domain/price-book-cap';
import type { ClusterEntity } from '../entities';
import { ClusterRepository } from '../repositories/cluster.repository';
import { JobRepository } from '../repositories/job.repository';
import { NamespaceRepository } from '../repositories/namespace.repository';
import { JobLifecycleService } from './job-lifecycle.service';
import { toClusterResponse } from './cluster.mapper';
import type { SecretBox } from '@bud/auth';
import { CLOCK, SECRET_BOX } from '@bud/ports';

/** Default list prices (USD/hour; storage USD per GiB-month) so estimates mean something before an operator sets real ones. */
export const defaultPriceTable: PriceTable = {
  gpu_hour: { 'A100-80GB': 2.5, 'H100-80GB': 4.5, L4: 0.8 },
  vcpu_hour: 0.04,
  memory_gib_hour: 0.005,
  storage_gib_month: 0.1,
};

@Injectable()
export class ClusterService {
  private readonly logger = new Logger('cluster-service');

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly jobs: JobRepository,
    private readonly namespaces: NamespaceRepository,
    private readonly drivers: DriverRegistry,
    private readonly lifecycle: JobLifecycleService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DRIVER_SETTINGS) private readonly driverSettings: DriverSettings,
  ) {}

  async create(principal: Principal, request: CreateClusterRequest): Promise<ClusterResponse> {
    requireScope(principal, request.shared ? 'platform:admin' : 'cluster:manage');
    const now = new Date(this.clock.now());
    let gpuInventory = {};
    let kubeconfigEncrypted: string | null = null;
    if (request.type === 'kubernetes' && request.kubeconfig) {
      const verdict = await validateKubeconfig(request.kubeconfig, {
        allowPrivateAddresses: this.driverSettings.allowPrivateClusterAddresses ?? false,
      });
      if (!verdict.ok) throw AppError.validation(verdict.message, verdict.details);
      gpuInventory = verdict.gpuInventory;
      kubeconfigEncrypted = this.secrets.seal(request.kubeconfig);
    }
    const settings = request.type === 'simulated' ? (request.settings ?? simulatedSettingsSchema.parse({})) : null;
    const cluster = await this.clusters.insert({
      id: randomUUID(),
      name: request.name,
      type: request.type,
      tenantId: request.shared ? null : principal.tenantId,
      status: 'ready',
      statusMessage: null,
      ingressUrl: request.ingress_url ?? null,
      gpuInventory: settings ? settings.gpu_capacity : gpuInventory,
      priceTable: request.price_table ?? defaultPriceTable,
      settings,
      isolation: request.isolation ? clusterIsolationSchema.parse(request.isolation) : null,
      kubeconfigEncrypted,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    if (!cluster) throw AppError.conflict(`a cluster named '${request.name}' already exists`);
    await this.drivers
      .claim(cluster)
      .catch((error: unknown) => this.logger.warn('driver did not start', { cluster_id: cluster.id, error: (error as Error).message }));
    return toClusterResponse(cluster);
  }

  /** The shared simulated cluster `local` of embedded mode (docs/design.md#runtime-modes); created once. */
  async ensureLocalCluster(): Promise<ClusterEntity> {
    const existing = await this.clusters.findSharedByName('local');
    if (existing) return existing;
    const now = new Date(this.clock.now());
    const settings = simulatedSettingsSchema.parse({});
    const created = await this.clusters.insert({
      id: randomUUID(),
      name: 'local',
      type: 'simulated',
      tenantId: null,
      status: 'ready',
      statusMessage: 'simulated cluster (no Kubernetes)',
      ingressUrl: null,
      gpuInventory: settings.gpu_capacity,
      priceTable: defaultPriceTable,
      settings,
      isolation: null,
      kubeconfigEncrypted: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    return created ?? (await this.clusters.findSharedByName('local'))!;
  }

  async list(
    principal: Principal,
    filter: { type?: string; status?: string },
    page: number,
    pageSize: number,
  ): Promise<Page<ClusterResponse>> {
    const { items, total } = await this.clusters.listVisible(principal.tenantId, filter, page, pageSize);
    return { items: items.map((cluster) => toClusterResponse(cluster, runsCluster(principal, cluster))), total, page, page_size: pageSize };
  }

  async get(principal: Principal, id: string): Promise<ClusterResponse> {
    const cluster = await this.visibleCluster(principal, id);
    return toClusterResponse(cluster, runsCluster(principal, cluster));
  }

  async visibleCluster(principal: Principal, id: string): Promise<ClusterEntity> {
    const cluster = await this.clusters.findVisible(id, principal.tenantId);
    if (!cluster) throw AppError.notFound('cluster', id);
    return cluster;
  }

  async update(principal: Principal, id: string, request: UpdateClusterRequest): Promise<ClusterResponse> {
    const cluster = await this.managedCluster(principal, id);
    if (request.settings && cluster.type !== 'simulated') {
      throw AppError.validation('only simulated clusters have settings', [
        { path: 'settings', message: 'only simulated clusters have settings' },
      ]);
    }
    const fields: Partial<ClusterEntity> = {};
    if (request.name !== undefined) fields.name = request.name;
    if (request.ingress_url !== undefined) fields.ingressUrl = request.ingress_url;
    if (request.price_table) {
      fields.priceTable = priceTableSchema.parse(request.price_table);
      // docs/design.md#price-book: no active job may cost more than the per-job hourly bound at the new prices.
      const capIssue = priceCapIssue(await this.jobs.activeOnCluster(cluster.id), fields.priceTable);
      if (capIssue) throw AppError.validation(`${capIssue.path} ${capIssue.message}`, [capIssue]);
    }
    if (request.settings) {
      fields.settings = simulatedSettingsSchema.parse({ ...cluster.settings, ...request.settings });
      fields.gpuInventory = fields.settings.gpu_capacity;
    }
    if (request.isolation) {
      fields.isolation = clusterIsolationSchema.parse(request.isolation);
      await this.refuseHeldIngress(cluster, fields.isolation.ingress_namespaces);
    }
    let updated: ClusterEntity | null;
    try {
      updated = await this.clusters.update(cluster.id, cluster.version, fields, new Date(this.clock.now()));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw AppError.conflict(`a cluster named '${request.name}' already exists`);
      throw error;
    }
    if (!updated) throw AppError.conflict('the cluster changed meanwhile; retry');
    // docs/design.md#namespaces: a new isolation renders every managed namespace again, in the background (logged).
    if (request.settings || request.isolation) await this.drivers.settingsChanged(updated);
    return toClusterResponse(updated);
  }

  /** 409 while jobs are active, unless forced: then they fail with a clear message first. */
  async delete(principal: Principal, id: string, force: boolean): Promise<void> {
    const cluster = await this.managedCluster(principal, id);
    const active = await this.jobs.activeOnCluster(cluster.id);
    if (active.length > 0 && !force)
      throw AppError.conflict(`the cluster has ${active.length} active jobs; cancel them or delete with ?force=true`);
    for (const job of active) {
      await this.lifecycle.transition(job.id, { to: 'failed', reason: 'ClusterDeleted', message: `cluster '${cluster.name}' was deleted` });
    }
    await this.drivers.forget(cluster.id);
    await this.jobs.deleteAllOnCluster(cluster.id);
    await this.clusters.delete(cluster.id);
  }

  /** An ingress namespace reaches every managed one: it may not be a namespace a tenant already holds. */
  private async refuseHeldIngress(cluster: ClusterEntity, ingress: readonly string[]): Promise<void> {
    const details = [];
    for (const [index, name] of ingress.entries()) {
      if (await this.namespaces.find(cluster.id, name))
        details.push({ path: `isolation.ingress_namespaces[${index}]`, message: `'${name}' is a tenant's namespace on this cluster` });
    }
    if (details.length > 0) throw AppError.validation(`isolation ${details[0]?.path} ${details[0]?.message}`, details);
  }

  private async managedCluster(principal: Principal, id: string): Promise<ClusterEntity> {
    const cluster = await this.visibleCluster(principal, id);
    requireScope(principal, cluster.tenantId === null ? 'platform:admin' : 'cluster:manage');
    return cluster;
  }
}

/** Whoever manages the cluster: its tenant's members, or a platform admin for a shared one. */
function runsCluster(principal: Principal, cluster: ClusterEntity): boolean {
  return cluster.tenantId === null ? hasScope(principal, 'platform:admin') : cluster.tenantId === principal.tenantId;
}
