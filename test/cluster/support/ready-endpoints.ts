// Watches a Service's EndpointSlices (discovery.k8s.io/v1) and records the number of ready endpoints after every
// change, the proof that a rolling update never left the Service without a ready backend.
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { pollUntil } from '@bud/testing';

interface EndpointSlice {
  metadata?: { name?: string };
  endpoints?: Array<{ conditions?: { ready?: boolean | null } }> | null;
}

export interface ReadyEndpointRecord {
  /** Ready endpoints across the Service's slices, once per watch event, in order. */
  readonly counts: number[];
  /** Resolves once the latest count satisfies `accept`. */
  until(accept: (count: number) => boolean, what: string): Promise<void>;
  /** The counts from the latest one on: call it once the Service is known to be serving, before the change. */
  mark(): () => number[];
  stop(): void;
}

/** Starts recording; resolves once the watch is open (its first events are the slices that exist already). */
export async function recordReadyEndpoints(config: KubeConfig, namespace: string, service: string): Promise<ReadyEndpointRecord> {
  const slices = new Map<string, number>();
  const counts: number[] = [];
  let failure: unknown;
  const total = () => [...slices.values()].reduce((sum, n) => sum + n, 0);
  const controller = await new Watch(config).watch(
    `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    { labelSelector: `kubernetes.io/service-name=${service}` },
    (phase: string, slice: EndpointSlice) => {
      const name = slice.metadata?.name ?? '';
      // A nil ready condition means ready (discovery.k8s.io/v1 EndpointConditions).
      const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
      if (phase === 'DELETED') slices.delete(name);
      else if (phase === 'ADDED' || phase === 'MODIFIED') slices.set(name, ready);
      else return;
      counts.push(total());
    },
    (err: unknown) => {
      if (err && !(err instanceof Error && err.name === 'AbortError')) failure = err;
    },
  );
  return {
    counts,
    async until(accept, what) {
      await pollUntil(
        () => {
          if (failure) throw failure instanceof Error ? failure : new Error(`the EndpointSlice watch failed: ${JSON.stringify(failure)}`);
          return counts.at(-1);
        },
        (count) => count !== undefined && accept(count),
        { timeoutMs: 60_000, intervalMs: 50, what },
      );
    },
    mark() {
      const from = Math.max(0, counts.length - 1);
      return () => counts.slice(from);
    },
    stop() {
      controller.abort();
    },
  };
}
