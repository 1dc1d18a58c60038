import { MANAGED_BY_VALUE } from '../../domain/manifests';

export { GENERATION_ANNOTATION, JOB_ID_LABEL, KUEUE_PRIORITY_LABEL, MANAGED_SELECTOR, VOLUME_LABEL } from '../../domain/manifests';
export const FIELD_MANAGER = MANAGED_BY_VALUE;
/** Set by Flux's helm-controller on every object a chart installs (they also carry our labels via commonMetadata). */
export const FLUX_RELEASE_LABEL = 'helm.toolkit.fluxcd.io/name';
export const HELM_RELEASE_ANNOTATION = 'meta.helm.sh/release-name';

/** A namespaced resource kind budcluster creates; `primary` kinds carry the job's status. */
export interface ResourceKind {
  apiVersion: string;
  kind: string;
  plural: string;
  primary: boolean;
  /** Listed namespace by namespace (only in managed namespaces), never across all: budcluster may not read it cluster-wide. */
  perNamespace?: boolean;
}

export const DEPLOYMENT: ResourceKind = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', primary: true };
export const BATCH_JOB: ResourceKind = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', primary: true };
export const HELM_RELEASE: ResourceKind = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  plural: 'helmreleases',
  primary: true,
};
const SERVICE: ResourceKind = { apiVersion: 'v1', kind: 'Service', plural: 'services', primary: false };
const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', primary: false, perNamespace: true };
/** A job's files (docs/design.md#files); listed per managed namespace, like Secrets. */
const CONFIG_MAP: ResourceKind = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', primary: false, perNamespace: true };
/** Cluster-scoped; listed (by label) only to find the managed namespaces. */
export const NAMESPACE: ResourceKind = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', primary: false };
export const PVC: ResourceKind = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', primary: false };
const HELM_REPOSITORY: ResourceKind = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'HelmRepository',
  plural: 'helmrepositories',
  primary: false,
};
const OCI_REPOSITORY: ResourceKind = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  plural: 'ocirepositories',
  primary: false,
};

/** Kinds watched for status. */
export const WATCHED_KINDS: readonly ResourceKind[] = [DEPLOYMENT, BATCH_JOB, HELM_RELEASE];
/**
 * Every kind the manifest renderers emit but claims; reconcile lists all of them so orphans are removed whole.
 * Claims are the volumes table's (docs/design.md#volumes): no sweep deletes data, not even a claim made before
 * claims lost their job label.
 */
export const MANAGED_KINDS: readonly ResourceKind[] = [...WATCHED_KINDS, SERVICE, SECRET, CONFIG_MAP, HELM_REPOSITORY, OCI_REPOSITORY];

/** The all-namespaces collection path, e.g. `/apis/apps/v1/deployments` or `/api/v1/services`. */
export function collectionPath(kind: ResourceKind): string {
  const root = kind.apiVersion.includes('/') ? 'apis' : 'api';
  return `/${root}/${kind.apiVersion}/${kind.plural}`;
}
