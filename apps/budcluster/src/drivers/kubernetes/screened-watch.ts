import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';
import { isKubernetesObject, parseManagedObject } from './managed-object';
import type { ResourceKind } from './resource-kinds';

export type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
export type MalformedCallback = (problem: string, phase: string) => void;

const OBJECT_PHASES = new Set(['ADDED', 'MODIFIED', 'DELETED']);
/** Server-side watch timeout: bounds how long a silently dead connection can hide changes. */
const WATCH_TIMEOUT_SECONDS = 300;

/**
 * Drops malformed objects before the client's informer cache sees them: the cache dereferences
 * `metadata.namespace` unguarded, and the watch swallows the resulting exception without a trace.
 */
export function screenWatchCallback(resource: ResourceKind, callback: WatchCallback, onMalformed: MalformedCallback): WatchCallback {
  return (phase, apiObj, watchObj) => {
    if (OBJECT_PHASES.has(phase)) {
      const parsed = parseManagedObject(apiObj, resource);
      if (!parsed.ok) {
        onMalformed(parsed.problem, phase);
        return;
      }
    }
    callback(phase, apiObj, watchObj);
  };
}

/** The list half of the same screen: the informer's initial (re)list. */
export function screenListItems(resource: ResourceKind, items: readonly unknown[], onMalformed: MalformedCallback): KubernetesObject[] {
  return items.filter((item): item is KubernetesObject => {
    const parsed = parseManagedObject(item, resource);
    if (!parsed.ok) onMalformed(parsed.problem, 'LIST');
    return parsed.ok && isKubernetesObject(item);
  });
}

export class ScreenedWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly resource: ResourceKind,
    private readonly onMalformed: MalformedCallback,
  ) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const params = { timeoutSeconds: WATCH_TIMEOUT_SECONDS, ...queryParams };
    return super.watch(path, params, screenWatchCallback(this.resource, callback, this.onMalformed), done);
  }
}
