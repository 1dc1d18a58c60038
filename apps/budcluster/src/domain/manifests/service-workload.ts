import type { V1DeploymentSpec, V1DeploymentStrategy, V1ServiceSpec } from '@kubernetes/client-node';
import type { JobModel } from '../job-model';
import { kueueLabels, objectMeta, selectorLabels, workloadMeta } from './labels';
import { serviceName } from './outputs';
import { containerFor, podTemplate } from './pod-template';
import { renderFiles } from './files';
import { renderSecretEnv } from './secret-env';
import type { KubernetesObject, RenderOptions } from './types';
import { workloadStorage } from './volumes';

/**
 * docs/design.md#in-place-update: an update never takes a serving replica away before its replacement is ready,
 * for GPU pods and pods with claims too. A surge pod that cannot start (no spare GPU, a ReadWriteOnce claim held
 * on another node) leaves the old pod serving until the readiness watchdog rolls the update back.
 */
const ROLLING_UPDATE: V1DeploymentStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };

/** SERVICE → PVCs (when storage is asked for) + apps/v1 Deployment + v1 Service (when the container has ports). */
export function renderServiceWorkload(job: JobModel, options: RenderOptions): KubernetesObject[] {
  const container = containerFor(job);
  const storage = workloadStorage(job, container);
  const queueLabels = options.kueue ? kueueLabels(job) : {};

  const deploymentSpec: V1DeploymentSpec = {
    replicas: job.resources.replicas,
    revisionHistoryLimit: 3,
    selector: { matchLabels: selectorLabels(job) },
    strategy: ROLLING_UPDATE,
    // Kueue's pod integration reads the queue from the pods as well as from the Deployment.
    template: podTemplate(job, container, { restartPolicy: 'Always', mounts: storage.mounts, extraLabels: queueLabels }),
  };
  const objects: KubernetesObject[] = [
    ...renderSecretEnv(job, options.secretEnv),
    ...renderFiles(job, options.secretEnv),
    ...storage.claims,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: workloadMeta(job, job.resourceName, queueLabels), spec: deploymentSpec },
  ];

  if (container.ports.length > 0) {
    const serviceSpec: V1ServiceSpec = {
      type: 'ClusterIP',
      selector: selectorLabels(job),
      ports: container.ports.map((p) => ({ name: p.name ?? `p-${p.port}`, port: p.port, targetPort: p.port, protocol: p.protocol })),
    };
    objects.push({ apiVersion: 'v1', kind: 'Service', metadata: objectMeta(job, serviceName(job)), spec: serviceSpec });
  }
  return objects;
}
