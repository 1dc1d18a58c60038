import { ApiException, ApisApi, type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { isRecord, type ManagedObject, parseManagedObject } from './managed-object';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../domain/manifests';
import { FIELD_MANAGER, MANAGED_KINDS, MANAGED_SELECTOR, type ResourceKind } from './resource-kinds';

const KUEUE_GROUP = 'kueue.x-k8s.io';
const PAGE_SIZE = 500;
/** How long apply waits for a terminating object of the same name to go: 240 × 250 ms = 1 min. */
const PREDECESSOR_POLLS = 240;
const PREDECESSOR_POLL_MS = 250;
/** A 429 (the API server's watch cache still initialising, or priority and fairness) is retried this often, ≤ 5 s apart. */
const THROTTLED_RETRIES = 5;
const MAX_RETRY_AFTER_MS = 5_000;

/** One labelled-object listing across all namespaces; `absent` when the cluster does not serve the kind (no Flux CRDs). */
export interface Listing {
  absent: boolean;
  items: unknown[];
  resourceVersion: string;
}

export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (isRecord(err) && typeof err.statusCode === 'number') return err.statusCode;
  return undefined;
}

/** The Kubernetes calls the driver makes, with the per-cluster caches that keep steady state call-free. */
export class KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly apis: ApisApi;
  private readonly knownNamespaces = new Set<string>();
  private kueue: Promise<boolean> | undefined;

  constructor(kubeConfig: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.apis = kubeConfig.makeApiClient(ApisApi);
  }

  /** Asked once per cluster; a failed discovery is retried on the next call rather than cached. */
  hasKueue(): Promise<boolean> {
    this.kueue ??= this.apis.getAPIVersions().then(
      (list) => list.groups.some((group) => group.name === KUEUE_GROUP),
      (err: unknown) => {
        this.kueue = undefined;
        throw err;
      },
    );
    return this.kueue;
  }

  async ensureNamespace(name: string): Promise<void> {
    if (this.knownNamespaces.has(name)) return;
    // The label tells deleteNamespace that budcluster made it; a namespace someone else made is never deleted.
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
    try {
      await this.objects.read(namespace);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      await this.objects.create(namespace).catch((createErr: unknown) => {
        if (httpStatus(createErr) !== 409) throw createErr;
      });
    }
    this.knownNamespaces.add(name);
  }

  /** Deletes a namespace only if it carries budcluster's managed-by label; a missing one counts as deleted. */
  async deleteManagedNamespace(name: string): Promise<'deleted' | 'absent' | 'not-managed'> {
    const reference = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    this.knownNamespaces.delete(name);
    let found: KubernetesObject;
    try {
      found = await this.objects.read(reference);
    } catch (err) {
      if (httpStatus(err) === 404) return 'absent';
      throw err;
    }
    if (found.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return 'not-managed';
    await this.delete(reference);
    return 'deleted';
  }

  /**
   * Server-side apply. A stop then start reuses every object name while the stopped job's objects may still be
   * terminating (foreground deletion): applying onto such an object either changes one that is about to go or is
   * refused (an immutable selector). Then this waits for it to go and applies afresh, after telling `onPredecessor`
   * its uid (its deletion is expected). One request on the usual path.
   */
  async apply(object: KubernetesObject, onPredecessor: (uid: string) => void = () => undefined): Promise<void> {
    let applied: KubernetesObject;
    try {
      applied = await this.applyOnce(object);
    } catch (err) {
      if (httpStatus(err) !== 422) throw err;
      const found = await this.readIfPresent(object);
      // Refused for another reason than an object on its way out.
      if (found && !found.metadata?.deletionTimestamp) throw err;
      if (!found) {
        await this.applyOnce(object);
        return;
      }
      applied = found;
    }
    if (!applied.metadata?.deletionTimestamp) return;
    if (applied.metadata.uid) onPredecessor(applied.metadata.uid);
    await this.untilGone(object);
    await this.applyOnce(object);
  }

  private async applyOnce(object: KubernetesObject): Promise<KubernetesObject> {
    try {
      return await this.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (err) {
      // The namespace may have been deleted behind our back: check it again next time.
      if (httpStatus(err) === 404 && object.metadata?.namespace) this.knownNamespaces.delete(object.metadata.namespace);
      throw err;
    }
  }

  private async readIfPresent(object: KubernetesObject): Promise<KubernetesObject | undefined> {
    try {
      return await this.objects.read(reference(object));
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  private async untilGone(object: KubernetesObject): Promise<void> {
    for (let attempt = 0; attempt < PREDECESSOR_POLLS; attempt++) {
      try {
        await this.objects.read(reference(object));
      } catch (err) {
        if (httpStatus(err) === 404) return;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, PREDECESSOR_POLL_MS));
    }
    const meta = object.metadata;
    throw new Error(`${object.kind ?? 'object'} ${meta?.namespace ?? ''}/${meta?.name ?? ''} of an earlier job is still being deleted`);
  }

  /** Foreground deletion; an object (or kind) that is already gone counts as deleted. */
  async delete(object: KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(object, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (err) {
      if (httpStatus(err) !== 404 && !isUnknownKind(err)) throw err;
    }
  }

  /** All objects of a kind matching the selector, page by page (limit/continue). */
  async list(kind: ResourceKind, labelSelector: string): Promise<Listing> {
    const items: unknown[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      let page;
      try {
        page = await this.throttled(() =>
          this.objects.list(
            kind.apiVersion,
            kind.kind,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
            PAGE_SIZE,
            continueToken,
          ),
        );
      } catch (err) {
        if (httpStatus(err) === 404 || isUnknownKind(err)) return { absent: true, items: [], resourceVersion: '' };
        throw err;
      }
      items.push(...page.items);
      const meta: unknown = page.metadata;
      resourceVersion = isRecord(meta) && typeof meta.resourceVersion === 'string' ? meta.resourceVersion : resourceVersion;
      continueToken = continueOf(meta);
    } while (continueToken);
    return { absent: false, items, resourceVersion };
  }

  /** Runs a request again while the API server answers 429, after the Retry-After it names (bounded). */
  private async throttled<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        if (httpStatus(err) !== 429 || attempt >= THROTTLED_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(err)));
      }
    }
  }

  /** Every labelled object of every kind budcluster creates: one paginated list per kind. */
  async listManaged(onMalformed: (kind: ResourceKind, problem: string) => void): Promise<ManagedObject[]> {
    const objects: ManagedObject[] = [];
    for (const kind of MANAGED_KINDS) {
      for (const item of (await this.list(kind, MANAGED_SELECTOR)).items) {
        const parsed = parseManagedObject(item, kind);
        if (parsed.ok) objects.push(parsed.object);
        else onMalformed(kind, parsed.problem);
      }
    }
    return objects;
  }
}

function reference(object: KubernetesObject): { apiVersion: string; kind: string; metadata: { name: string; namespace: string } } {
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '' },
  };
}

// Typed lists are deserialized (`_continue`), custom-resource lists arrive raw (`continue`).
function continueOf(meta: unknown): string | undefined {
  if (!isRecord(meta)) return undefined;
  const token = meta._continue ?? meta.continue;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

function isUnknownKind(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('Unrecognized API version and kind');
}

/** The Retry-After of a 429 in milliseconds (1 s when absent or unreadable), at most MAX_RETRY_AFTER_MS. */
export function retryAfterMs(err: unknown): number {
  const headers = err instanceof ApiException ? (err.headers as Record<string, string | undefined>) : undefined;
  const header = headers?.['retry-after'];
  const seconds = header === undefined || header.trim() === '' ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 1000;
}
