import { CoreV1Api, type KubeConfig, type KubernetesListObject, ListWatch, type V1Node, Watch } from '@kubernetes/client-node';
import type { GpuInventory } from '@bud/contracts';
import { canonicalJson } from '@bud/workloads';
import type { Clock } from '@bud/ports';
import { gpuInventoryFromNodes } from './gpu-inventory';
import type { DriverLogger } from './watch-event-handler';

const NODES_PATH = '/api/v1/nodes';
/** Server-side watch timeout, as for the workload informers: bounds how long a silently dead connection hides changes. */
const WATCH_TIMEOUT_SECONDS = 300;
const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/**
 * Coalesces node changes into inventory reports: the first `changed()` arms one timer and later ones join it; when it
 * fires the inventory is computed and reported only when it differs from the last one reported. Nodes change often
 * (conditions, heartbeats) while their GPUs rarely do; a fixed window, not a re-armed one, so a cluster whose nodes
 * never fall silent for a whole window still reports.
 */
export class InventoryDebounce {
  private timer: unknown;
  private last: string | undefined;

  constructor(
    private readonly deps: {
      debounceMs: number;
      clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
      current(): GpuInventory;
      report(inventory: GpuInventory): Promise<void>;
      onReportFailed(err: unknown): void;
    },
  ) {}

  changed(): void {
    if (this.timer !== undefined) return;
    this.timer = this.deps.clock.setTimeout(() => this.flush(), this.deps.debounceMs);
  }

  cancel(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const inventory = this.deps.current();
    const key = canonicalJson(inventory);
    if (key === this.last) return;
    this.last = key;
    this.deps.report(inventory).catch((err: unknown) => {
      // Not recorded: the next change (or relist) tries again.
      if (this.last === key) this.last = undefined;
      this.deps.onReportFailed(err);
    });
  }
}

export interface NodeInventoryWatchDeps {
  clusterId: string;
  kubeConfig: KubeConfig;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  logger: DriverLogger;
  report(inventory: GpuInventory): Promise<void>;
  /** Default 1 s. */
  debounceMs?: number;
  backoff?: { initialMs: number; maxMs: number };
}

class TimedWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(path, { timeoutSeconds: WATCH_TIMEOUT_SECONDS, ...queryParams }, callback, done);
  }
}

/**
 * A cluster-scoped informer on every Node (no selector) that reports the GPU inventory (docs/design.md#cluster-status)
 * whenever nodes are added, changed (e.g. cordoned) or removed. Restarted with backoff like the workload informers.
 */
export class NodeInventoryWatch {
  private readonly informer: ListWatch<V1Node>;
  private readonly debounce: InventoryDebounce;
  private readonly backoff: { initialMs: number; maxMs: number };
  private failures = 0;
  private retryTimer: unknown;
  private stopped = true;

  constructor(private readonly deps: NodeInventoryWatchDeps) {
    const core = deps.kubeConfig.makeApiClient(CoreV1Api);
    const list = async (): Promise<KubernetesListObject<V1Node>> => {
      const nodes = await core.listNode();
      this.failures = 0;
      // A relist that changed nothing emits no event; the debounce still reports the first inventory after a start.
      this.debounce.changed();
      return nodes;
    };
    this.informer = new ListWatch<V1Node>(NODES_PATH, new TimedWatch(deps.kubeConfig), list, false);
    this.debounce = new InventoryDebounce({
      debounceMs: deps.debounceMs ?? 1_000,
      clock: deps.clock,
      current: () => gpuInventoryFromNodes(this.informer.list()),
      report: (inventory) => deps.report(inventory),
      onReportFailed: (err) => deps.logger.warn('recording GPU inventory failed', { cluster_id: deps.clusterId, error: String(err) }),
    });
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.on(verb, () => this.debounce.changed());
    this.informer.on('error', (err?: unknown) => this.restartLater(err));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.debounce.cancel();
    await this.informer.stop();
  }

  private launch(): void {
    this.informer.start().catch((err: unknown) => this.restartLater(err));
  }

  private restartLater(err: unknown): void {
    // Stopping aborts the watch, which the client reports as an error.
    if (this.stopped || this.retryTimer !== undefined) return;
    this.failures += 1;
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.failures - 1));
    this.deps.logger.warn('node informer stopped; restarting it', {
      cluster_id: this.deps.clusterId,
      retry_in_ms: delayMs,
      error: err instanceof Error ? err.message : String(err),
    });
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.launch();
    }, delayMs);
  }
}
