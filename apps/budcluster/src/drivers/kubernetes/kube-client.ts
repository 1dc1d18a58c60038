import {
  ApiException,
  ApisApi,
  AuthenticationV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { isRecord, type ManagedObject, parseManagedObject } from './managed-object';
import { JOB_ID_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_ID_LABEL } from '../../domain/manifests';
import { ObjectInTheWayError } from '../../domain/namespace-model';
import { objectOwnership } from './object-ownership';
import { FIELD_MANAGER, MANAGED_KINDS, MANAGED_SELECTOR, NAMESPACE, type ResourceKind } from './resource-kinds';

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
  private readonly authentication: AuthenticationV1Api;
  /**
   * Objects this process has applied, by kind/namespace/name → the owner they were applied for (job id, or the
   * claim's tenant): applying them again needs no ownership read (docs/design.md#drivers).
   */
  private readonly ours = new Map<string, string>();
  private kueue: Promise<boolean> | undefined;

  constructor(kubeConfig: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.apis = kubeConfig.makeApiClient(ApisApi);
    this.authentication = kubeConfig.makeApiClient(AuthenticationV1Api);
  }

  /** The user name the kubeconfig authenticates as (SelfSubjectReview, which every authenticated identity may make). */
  async whoAmI(): Promise<string> {
    const review = await this.authentication.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    const username = review.status?.userInfo?.username;
    if (!username) throw new Error('the API server did not say who the kubeconfig authenticates as');
    return username;
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

  /** Deletes a namespace only if it carries budcluster's managed-by label; a missing one counts as deleted. */
  async deleteManagedNamespace(name: string): Promise<'deleted' | 'absent' | 'not-managed'> {
    const reference = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
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
   *
   * Never adopts: before the first apply of an object in this process it is read, and one that budcluster did not
   * make for this owner is refused with ObjectInTheWayError. An object this process applied costs no read.
   */
  async apply(object: KubernetesObject, onPredecessor: (uid: string) => void = () => undefined): Promise<void> {
    const key = objectKey(object);
    const owner = ownerOf(object);
    // Forced only onto an object read as ours: one created by someone else between the read and this apply then
    // shows as a field conflict (409) instead of being taken over.
    let force = true;
    if (this.ours.get(key) !== owner) {
      const found = await this.readIfPresent(object);
      force = found !== undefined;
      this.refuseForeign(object, found);
      const ownership = objectOwnership(object.metadata ?? {}, found?.metadata);
      if (ownership.verdict === 'predecessor') {
        if (ownership.uid) onPredecessor(ownership.uid);
        await this.untilGone(object);
        force = false;
      }
    }
    this.ours.delete(key);
    try {
      await this.applyOwned(object, onPredecessor, force);
    } catch (err) {
      if (!force && httpStatus(err) === 409) this.refuseForeign(object, await this.readIfPresent(object));
      throw err;
    }
    this.ours.set(key, owner);
  }

  private refuseForeign(object: KubernetesObject, found: KubernetesObject | undefined): void {
    const ownership = objectOwnership(object.metadata ?? {}, found?.metadata);
    if (ownership.verdict !== 'foreign') return;
    const meta = object.metadata;
    throw new ObjectInTheWayError(object.kind ?? 'object', meta?.namespace ?? '', meta?.name ?? '', ownership.why);
  }

  private async applyOwned(object: KubernetesObject, onPredecessor: (uid: string) => void, force: boolean): Promise<void> {
    let applied: KubernetesObject;
    try {
      applied = await this.applyOnce(object, force);
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

  /** One forced server-side apply as budcluster's field manager, without the ownership read (namespaces, their objects). */
  applyServerSide(object: KubernetesObject): Promise<KubernetesObject> {
    return this.applyOnce(typedBody(object));
  }

  /** One forced server-side apply of a custom resource (Kueue's objects), sent as it is: the typed model does not know it. */
  async applyCustom(object: KubernetesObject): Promise<void> {
    await this.throttled(() => this.applyOnce(object));
  }

  private applyOnce(object: KubernetesObject, force = true): Promise<KubernetesObject> {
    return this.objects.patch(object, undefined, undefined, FIELD_MANAGER, force, PatchStrategy.ServerSideApply);
  }

  async readIfPresent(object: KubernetesObject): Promise<KubernetesObject | undefined> {
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
    this.ours.delete(objectKey(object));
    try {
      await this.objects.delete(object, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (err) {
      if (httpStatus(err) !== 404 && !isUnknownKind(err)) throw err;
    }
  }

  /** All objects of a kind matching the selector, page by page (limit/continue). */
  async list(kind: ResourceKind, labelSelector: string, namespace?: string): Promise<Listing> {
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
            namespace,
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

  /**
   * Every labelled object of every kind budcluster creates: one paginated list per kind, across all namespaces,
   * except Secrets, which budcluster may read only inside its managed namespaces (deploy/kubernetes/workload-cluster/):
   * one list per managed namespace.
   */
  async listManaged(onMalformed: (kind: ResourceKind, problem: string) => void): Promise<ManagedObject[]> {
    const objects: ManagedObject[] = [];
    const collect = (kind: ResourceKind, items: unknown[]) => {
      for (const item of items) {
        const parsed = parseManagedObject(item, kind);
        if (parsed.ok) objects.push(parsed.object);
        else onMalformed(kind, parsed.problem);
      }
    };
    let managedNamespaces: string[] | undefined;
    for (const kind of MANAGED_KINDS) {
      if (!kind.perNamespace) {
        collect(kind, (await this.list(kind, MANAGED_SELECTOR)).items);
        continue;
      }
      managedNamespaces ??= (await this.list(NAMESPACE, MANAGED_SELECTOR)).items.flatMap((item) => {
        const name = isRecord(item) && isRecord(item.metadata) ? item.metadata.name : undefined;
        return typeof name === 'string' ? [name] : [];
      });
      for (const namespace of managedNamespaces) collect(kind, (await this.list(kind, MANAGED_SELECTOR, namespace)).items);
    }
    return objects;
  }
}

/**
 * The client serializes a body through its typed model, which names some fields differently in code (`from` is
 * `_from`, `default` is `_default`) and drops what it does not know: a plain NetworkPolicy would lose its peers and
 * admit everything. Read into the model first, so serializing writes every field back under its wire name.
 */
export function typedBody(object: KubernetesObject): KubernetesObject {
  const version = (object.apiVersion ?? '').split('/').pop() ?? '';
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind ?? ''}`;
  return ObjectSerializer.deserialize(object, type, '') as KubernetesObject;
}

function objectKey(object: KubernetesObject): string {
  return `${object.apiVersion ?? ''}/${object.kind ?? ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Whom an object is applied for: its job, or for a claim (no job id) its tenant. */
function ownerOf(object: KubernetesObject): string {
  const labels = object.metadata?.labels ?? {};
  return labels[JOB_ID_LABEL] ?? `tenant:${labels[TENANT_ID_LABEL] ?? ''}`;
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
