import type { KubernetesObject } from '@kubernetes/client-node';
import { defaultClusterIsolation, type ClusterIsolation } from '@bud/contracts';
import { renderNamespace, toLabelValue } from '../../domain/manifests';
import { type ManagedNamespace, NamespaceRefusedError } from '../../domain/namespace-model';
import { httpStatus } from './kube-client';
import { namespaceClaim } from './object-ownership';

/** The ClusterRole budcluster holds only inside the namespaces it manages (deploy/kubernetes/workload-cluster/). */
export const NAMESPACED_ROLE = 'bud-foundry-budcluster-namespaced';
export const ROLE_BINDING_NAME = 'bud-foundry-budcluster';
/** A RoleBinding just made takes a moment to reach the API server's authorizer: a 403 is retried this long. */
const BINDING_WAIT_POLLS = 40;
const BINDING_WAIT_MS = 250;

/** The identity budcluster's kubeconfig authenticates as, as RBAC names it. */
export type Subject = { kind: 'ServiceAccount'; name: string; namespace: string } | { kind: 'User'; apiGroup: string; name: string };

/** The calls NamespaceApplier makes; KubeClient implements them. */
export interface NamespaceApi {
  readIfPresent(object: KubernetesObject): Promise<KubernetesObject | undefined>;
  applyServerSide(object: KubernetesObject): Promise<KubernetesObject>;
  whoAmI(): Promise<string>;
}

export function subjectOf(username: string): Subject {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (account) return { kind: 'ServiceAccount', namespace: account[1] ?? '', name: account[2] ?? '' };
  return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: username };
}

/** The RoleBinding that gives budcluster's own identity the namespaced role in one managed namespace. */
export function roleBinding(namespace: string, subject: Subject): KubernetesObject & { roleRef: object; subjects: object[] } {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: ROLE_BINDING_NAME, namespace, labels: { 'app.kubernetes.io/managed-by': 'budcluster' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAMESPACED_ROLE },
    subjects: [subject],
  };
}

/**
 * Claims and renders managed namespaces on one cluster (docs/design.md#namespaces): the Namespace with its labels,
 * the RoleBinding of least privilege, then the isolation objects. Remembers the namespaces it has made sure of,
 * so a job's apply into one costs no call.
 */
export class NamespaceApplier {
  /** Namespace → the tenant label it was made sure of for. */
  private readonly known = new Map<string, string>();
  private subject: Promise<Subject> | undefined;
  /** The isolation last rendered: what a job's apply uses when it must create a namespace itself. */
  private isolation: ClusterIsolation;

  constructor(
    private readonly api: NamespaceApi,
    isolation: ClusterIsolation = defaultClusterIsolation,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.isolation = isolation;
  }

  /** Creates the namespace for its tenant, or renders it again when budcluster manages it for that tenant. */
  async ensure(namespace: ManagedNamespace): Promise<void> {
    this.isolation = namespace.isolation;
    const tenant = toLabelValue(namespace.tenantId);
    this.known.delete(namespace.name);
    await this.claim(namespace.name, tenant, namespace.recorded ?? false);
    await this.render(namespace);
    this.known.set(namespace.name, tenant);
  }

  /**
   * Before a job's objects are applied: nothing when this process has made sure of the namespace for the tenant;
   * else the namespace is claimed (created with the last isolation rendered, or confirmed and given its RoleBinding).
   */
  async ensureForJob(namespace: Omit<ManagedNamespace, 'isolation'>): Promise<void> {
    const tenant = toLabelValue(namespace.tenantId);
    if (this.known.get(namespace.name) === tenant) return;
    // The job was created through a claim, so cluster_namespaces records its namespace for its tenant.
    const claim = await this.claim(namespace.name, tenant, true);
    if (claim === 'absent') await this.render({ ...namespace, isolation: this.isolation });
    else await this.api.applyServerSide(roleBinding(namespace.name, await this.whoAmI()));
    this.known.set(namespace.name, tenant);
  }

  /** The namespace may have gone (deleted, or a 404 while applying into it): check it again next time. */
  forget(name: string): void {
    this.known.delete(name);
  }

  private async claim(name: string, tenant: string, recorded: boolean): Promise<'absent' | 'ours'> {
    const found = await this.api.readIfPresent({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const claim = namespaceClaim(found?.metadata, tenant, recorded);
    if (claim === 'unmanaged' || claim === 'other-tenant') throw new NamespaceRefusedError(name, claim);
    return claim;
  }

  private async render(namespace: ManagedNamespace): Promise<void> {
    const [ns, ...isolation] = renderNamespace(namespace) as KubernetesObject[];
    if (ns) await this.api.applyServerSide(ns);
    await this.api.applyServerSide(roleBinding(namespace.name, await this.whoAmI()));
    for (const object of isolation) await this.whileBindingPropagates(() => this.api.applyServerSide(object));
  }

  private whoAmI(): Promise<Subject> {
    this.subject ??= this.api.whoAmI().then(subjectOf, (err: unknown) => {
      this.subject = undefined;
      throw err;
    });
    return this.subject;
  }

  private async whileBindingPropagates<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (err) {
        if (httpStatus(err) !== 403 || attempt >= BINDING_WAIT_POLLS) throw err;
        await this.pause(BINDING_WAIT_MS);
      }
    }
  }
}
