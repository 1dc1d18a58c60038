import type { HelmSpec } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { JobModel } from '../job-model';
import { checkHelmSpec } from '@bud/workloads';
import { jobLabels, objectMeta, workloadMeta } from './labels';
import { RELEASE_SERVICE_ACCOUNT } from './namespace';
import { releaseName } from './outputs';
import type { KubernetesObject, RenderOptions } from './types';

export const FLUX_SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const FLUX_HELM_API = 'helm.toolkit.fluxcd.io/v2';
export const DEFAULT_PLATFORM_CHART_SOURCE = { name: 'bud-charts', namespace: 'flux-system' } as const;
const REMEDIATION_RETRIES_CAP = 5;

export interface FluxSourceRef {
  kind: 'HelmRepository';
  name: string;
  namespace?: string;
}

export interface HelmRepositorySpec {
  url: string;
  interval: string;
  type?: 'oci';
}

export interface HelmReleaseSpec {
  interval: string;
  timeout: string;
  releaseName: string;
  /** The namespace's release account (namespace.ts): the chart installs with its rights, not helm-controller's. */
  serviceAccountName: string;
  chart: { spec: { chart: string; version?: string; sourceRef: FluxSourceRef; interval: string } };
  install: { remediation: { retries: number } };
  upgrade: { remediation: { retries: number; remediateLastFailure: boolean }; cleanupOnFail: boolean };
  commonMetadata: { labels: Record<string, string> };
  values: Record<string, unknown>;
}

/** `oci://host/a/chart` → repository `oci://host/a` + chart `chart`; likewise for https repositories. */
export function splitChartRef(chartRef: string): { repositoryUrl: string | null; chart: string; oci: boolean } {
  if (chartRef.startsWith('charts/')) return { repositoryUrl: null, chart: chartRef.slice('charts/'.length), oci: false };
  const url = new URL(chartRef);
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  const chart = segments.pop() ?? '';
  const repositoryUrl = `${url.protocol}//${url.host}${segments.length > 0 ? `/${segments.join('/')}` : ''}`;
  return { repositoryUrl, chart, oci: url.protocol === 'oci:' };
}

/**
 * `helm` specs → Flux HelmRepository (unless the chart is a bundled `charts/<name>`) + HelmRelease.
 *
 * OCI charts use a HelmRepository of `type: oci` rather than an OCIRepository: HelmRepository has been
 * `source.toolkit.fluxcd.io/v1` since Flux 2.2 while OCIRepository only reached v1 in Flux 2.6, and one
 * source kind keeps HelmRelease on `spec.chart.spec` for every chart (semver ranges resolve from tags).
 */
export function renderHelmRelease(job: JobModel, spec: HelmSpec, options: RenderOptions): KubernetesObject[] {
  // Defence in depth: the job service checks this at the edge, but nothing unsafe may reach a cluster.
  const problems = checkHelmSpec(spec);
  const first = problems[0];
  if (first) throw AppError.validation(`helm spec is not allowed: ${first.path} ${first.message}`, problems);

  const { repositoryUrl, chart, oci } = splitChartRef(spec.chart_ref);
  const objects: KubernetesObject[] = [];
  let sourceRef: FluxSourceRef;
  if (repositoryUrl === null) {
    const platform = options.platformChartSource ?? DEFAULT_PLATFORM_CHART_SOURCE;
    sourceRef = { kind: 'HelmRepository', name: platform.name, ...(platform.namespace ? { namespace: platform.namespace } : {}) };
  } else {
    const repository: HelmRepositorySpec = { url: repositoryUrl, interval: '1h', ...(oci ? { type: 'oci' as const } : {}) };
    objects.push({ apiVersion: FLUX_SOURCE_API, kind: 'HelmRepository', metadata: objectMeta(job, job.resourceName), spec: repository });
    sourceRef = { kind: 'HelmRepository', name: job.resourceName };
  }

  const retries = Math.min(job.policy.max_retries, REMEDIATION_RETRIES_CAP);
  const release: HelmReleaseSpec = {
    interval: '10m',
    // Charts that pull model weights or images of several GiB outlive Helm's 5-minute default.
    timeout: '15m',
    releaseName: releaseName(job),
    serviceAccountName: RELEASE_SERVICE_ACCOUNT,
    chart: { spec: { chart, ...(spec.chart_version ? { version: spec.chart_version } : {}), sourceRef, interval: '1h' } },
    install: { remediation: { retries } },
    upgrade: { remediation: { retries, remediateLastFailure: true }, cleanupOnFail: true },
    // Labels every object the chart renders, so the informers and the orphan sweep see them too.
    commonMetadata: { labels: jobLabels(job) },
    values: spec.values,
  };
  objects.push({ apiVersion: FLUX_HELM_API, kind: 'HelmRelease', metadata: workloadMeta(job, job.resourceName), spec: release });
  return objects;
}
