/** Metadata every rendered object carries: the renderers always name, place and label what they emit. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rendered Kubernetes object as plain JSON, ready for server-side apply. */
export type KubernetesObject = WorkloadObject | SecretObject | ConfigMapObject;

export interface WorkloadObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: object;
}

/** A v1 Secret: no spec, base64 `data`. */
export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: 'Opaque';
  data: Record<string, string>;
}

/** A v1 ConfigMap: no spec, plain `data` (a job's files). */
export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

export interface RenderOptions {
  /** Whether the cluster has Kueue's CRDs: workloads then carry queue and priority labels and Jobs start suspended. */
  kueue: boolean;
  /**
   * The platform-installed HelmRepository that serves `charts/<name>` refs. Defaults to `bud-charts` in
   * `flux-system`; a cluster running Flux with `--no-cross-namespace-refs` needs it in each job namespace.
   */
  platformChartSource?: { name: string; namespace?: string };
  /**
   * The job's opened sealed values: `secret_env` by name and secret files' content by path (paths start with `/`, env
   * names never do); omitted when objects are rendered only to be found or deleted.
   */
  secretEnv?: Record<string, string>;
}
