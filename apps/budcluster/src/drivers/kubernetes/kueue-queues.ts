import type { KubernetesObject } from '@kubernetes/client-node';
import { canonicalJson } from '@bud/workloads';
import { BUILT_IN_CLUSTER_QUOTAS, type ClusterQuotas } from '../../domain/quota-model';
import { localQueue, renderKueueObjects } from './kueue-objects';
import type { DriverLogger } from './watch-event-handler';

/** The calls KueueQueues makes; KubeClient implements them. */
export interface KueueApi {
  hasKueue(): Promise<boolean>;
  applyCustom(object: KubernetesObject): Promise<void>;
}

/** After a failed apply, the next try (any change also tries at once). */
const RETRY_MS = 5_000;

/**
 * Keeps a cluster's Kueue objects (docs/design.md#quotas, "On Kubernetes") in line with its quotas, GPU inventory and
 * tenants: flavors, priority classes, the cohort's ClusterQueues (one per tenant, plus bud-pool) and a LocalQueue `bud`
 * per managed namespace, all by server-side apply. An object is applied again only when its rendering changes, so
 * steady state costs no call. Without Kueue's API on the cluster it does nothing.
 */
export class KueueQueues {
  private quotas: ClusterQuotas = BUILT_IN_CLUSTER_QUOTAS;
  private inventory: Record<string, number> = {};
  private inventoryKnown = false;
  private readonly tenants = new Set<string>();
  /** Object key → canonical JSON last applied. */
  private readonly applied = new Map<string, string>();
  private running: Promise<void> | undefined;
  /** The one pass that follows the running one, shared by every caller that asked meanwhile. */
  private next: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly api: KueueApi,
    private readonly clusterId: string,
    private readonly logger: DriverLogger,
  ) {}

  setQuotas(quotas: ClusterQuotas): void {
    this.quotas = quotas;
    void this.sync().catch(() => undefined);
  }

  setInventory(inventory: Record<string, number>): void {
    this.inventory = { ...inventory };
    this.inventoryKnown = true;
    void this.sync().catch(() => undefined);
  }

  get hasInventory(): boolean {
    return this.inventoryKnown;
  }

  /** The tenant's ClusterQueue exists (with the flavors and priority classes) before its first Workload is made. */
  async ensureTenant(tenantId: string): Promise<void> {
    if (this.tenants.has(tenantId) && !this.running) return;
    this.tenants.add(tenantId);
    await this.sync();
  }

  /** The LocalQueue `bud` of a managed namespace. */
  async ensureNamespace(namespace: string, tenantId: string): Promise<void> {
    if (!(await this.api.hasKueue())) return;
    await this.ensureTenant(tenantId);
    await this.applyIfChanged(localQueue(namespace, tenantId));
  }

  /** Forgets a namespace's LocalQueue (the namespace is gone), so a namespace of that name gets it again. */
  forgetNamespace(namespace: string): void {
    for (const key of this.applied.keys()) if (key.startsWith(`LocalQueue/${namespace}/`)) this.applied.delete(key);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /**
   * Applies what changed since the last pass; resolves once everything known at the call is applied (a call during a
   * pass waits for the one pass after it, which all such calls share). Rejects when that pass failed.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.next ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.sync();
        });
      return this.next;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    if (!(await this.api.hasKueue())) return;
    const objects = renderKueueObjects({
      clusterId: this.clusterId,
      inventory: this.inventory,
      quotas: this.quotas,
      tenants: [...this.tenants],
    });
    try {
      for (const object of objects) await this.applyIfChanged(object);
    } catch (err) {
      this.logger.warn('applying Kueue objects failed; retrying', { cluster_id: this.clusterId, error: String(err) });
      if (!this.stopped && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.sync().catch(() => undefined);
        }, RETRY_MS);
        this.retryTimer.unref();
      }
      throw err;
    }
  }

  private async applyIfChanged(object: KubernetesObject): Promise<void> {
    const key = `${object.kind ?? ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    const json = canonicalJson(object);
    if (this.applied.get(key) === json) return;
    await this.api.applyCustom(object);
    this.applied.set(key, json);
  }
}
