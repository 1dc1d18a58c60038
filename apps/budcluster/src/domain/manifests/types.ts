/** Metadata every rendered object carries: the renderers always name, place and label what they emit. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rendered Kubernetes object as plain JSON, ready for server-side apply. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: object;
}

export interface RenderOptions {
  /** Whether the cluster has Kueue's CRDs: workloads then carry queue and priority labels and Jobs start suspended. */
  kueue: boolean;
  /**
   * The platform-installed HelmRepository that serves `charts/<name>` refs. Defaults to `bud-charts` in
   * `flux-system`; a cluster running Flux with `--no-cross-namespace-refs` needs it in each job namespace.
   */
  platformChartSource?: { name: string; namespace?: string };
}
