import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { httpStatus, type KubeClient } from './kube-client';
import { collectionPath, MANAGED_SELECTOR, type ResourceKind, WATCHED_KINDS } from './resource-kinds';
import { ScreenedWatch, screenListItems, type MalformedCallback } from './screened-watch';
import type { DriverLogger, WatchVerb } from './watch-event-handler';

export interface SupervisorDeps {
  clusterId: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  logger: DriverLogger;
  onObject(verb: WatchVerb, kind: ResourceKind, object: KubernetesObject): void;
  /** How long to wait before looking again for a kind the cluster does not serve (e.g. Flux not installed). */
  absentKindRetryMs: number;
  /** The kinds to watch; default WATCHED_KINDS (the driver adds Kueue's Workloads). */
  kinds?: readonly ResourceKind[];
  backoff?: { initialMs: number; maxMs: number };
}

class KindAbsentError extends Error {}

const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/**
 * One label-selected, all-namespace informer per watched kind. The client's informer relists by itself
 * on 410 Gone but stops for good on any other error, so this brings it back with exponential backoff.
 */
export class InformerSupervisor {
  private readonly informers = new Map<ResourceKind, ListWatch<KubernetesObject>>();
  private readonly failures = new Map<ResourceKind, number>();
  private readonly timers = new Map<ResourceKind, NodeJS.Timeout>();
  private stopped = true;

  constructor(private readonly deps: SupervisorDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const kind of this.deps.kinds ?? WATCHED_KINDS) {
      const informer = this.informers.get(kind) ?? this.create(kind);
      this.informers.set(kind, informer);
      this.launch(kind, informer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  private create(kind: ResourceKind): ListWatch<KubernetesObject> {
    const onMalformed: MalformedCallback = (problem, phase) =>
      this.deps.logger.warn('skipping malformed object from watch', { cluster_id: this.deps.clusterId, kind: kind.kind, phase, problem });
    const watch = new ScreenedWatch(this.deps.kubeConfig, kind, onMalformed);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const listing = await this.deps.client.list(kind, MANAGED_SELECTOR);
      if (listing.absent) throw new KindAbsentError(`${kind.apiVersion} ${kind.kind} is not served by the cluster`);
      this.failures.delete(kind);
      return { metadata: { resourceVersion: listing.resourceVersion }, items: screenListItems(kind, listing.items, onMalformed) };
    };
    const informer = new ListWatch<KubernetesObject>(collectionPath(kind), watch, list, false, MANAGED_SELECTOR);
    informer.on('add', (object) => this.deps.onObject('add', kind, object));
    informer.on('update', (object) => this.deps.onObject('update', kind, object));
    informer.on('delete', (object) => this.deps.onObject('delete', kind, object));
    informer.on('error', (err?: unknown) => this.restartLater(kind, err));
    return informer;
  }

  private launch(kind: ResourceKind, informer: ListWatch<KubernetesObject>): void {
    informer.start().catch((err: unknown) => this.restartLater(kind, err));
  }

  private restartLater(kind: ResourceKind, err: unknown): void {
    // Stopping aborts the watch, which the client reports as an error.
    if (this.stopped || this.timers.has(kind)) return;
    // 410 Gone (an expired continue token or resourceVersion) only means "list afresh": no backoff for it.
    const gone = httpStatus(err) === 410;
    const failures = (this.failures.get(kind) ?? 0) + (gone ? 0 : 1);
    this.failures.set(kind, failures);
    const backoff = this.deps.backoff ?? DEFAULT_BACKOFF;
    const absent = err instanceof KindAbsentError;
    const delayMs = gone ? 0 : absent ? this.deps.absentKindRetryMs : Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
    const fields = {
      cluster_id: this.deps.clusterId,
      kind: kind.kind,
      retry_in_ms: delayMs,
      error: err instanceof Error ? err.message : String(err),
    };
    if (absent && failures > 1) this.deps.logger.debug('kind still not served; not watching it', fields);
    else if (absent) this.deps.logger.info('kind not served by the cluster; not watching it', fields);
    else this.deps.logger.warn('informer stopped; restarting it', fields);
    const timer = setTimeout(() => {
      this.timers.delete(kind);
      const informer = this.informers.get(kind);
      if (!this.stopped && informer) this.launch(kind, informer);
    }, delayMs);
    timer.unref();
    this.timers.set(kind, timer);
  }
}
