import { createHash } from 'node:crypto';
import type { ContainerSpec } from '@bud/contracts';
import type {
  V1Container,
  V1EnvVar,
  V1PodTemplateSpec,
  V1Probe,
  V1ResourceRequirements,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { AppError } from '@bud/errors';
import type { JobModel } from '../job-model';
import { checkImageHost } from '@bud/workloads';
import { modelToContainer } from '../model-engines';
import { FILES_DIGEST_ANNOTATION, fileMounts, filesDigest } from './files';
import { jobLabels } from './labels';
import { secretEnvName, secretEnvNames } from './secret-env';
import type { ClaimMount } from './volumes';

export const GPU_RESOURCE = 'nvidia.com/gpu';
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const MAIN_CONTAINER = 'main';
export const SECRET_ENV_DIGEST_ANNOTATION = 'bud.ai/secret-env-digest';

/** A digest of the sealed (encrypted) values: it changes with them and tells nothing about them. */
function secretEnvDigest(sealed: string): string {
  return createHash('sha256').update(sealed).digest('hex').slice(0, 16);
}

/** The container a non-helm job runs; model specs become their engine's container. */
export function containerFor(job: Pick<JobModel, 'id' | 'spec' | 'resources'>): ContainerSpec {
  switch (job.spec.kind) {
    case 'container':
      return job.spec;
    case 'model':
      return modelToContainer(job.spec, job.resources);
    case 'helm':
      throw new Error(`job ${job.id} is a helm release and has no container`);
    default: {
      const unreachable: never = job.spec;
      throw new Error(`unknown spec kind ${String(unreachable)}`);
    }
  }
}

function resourcesOf(job: JobModel): V1ResourceRequirements {
  const { cpu_request, cpu_limit, memory_request, memory_limit, gpu_count } = job.resources;
  const limits: Record<string, string> = {};
  if (cpu_limit) limits['cpu'] = cpu_limit;
  if (memory_limit) limits['memory'] = memory_limit;
  // Extended resources may only be set as limits; the request defaults to the same value.
  if (gpu_count > 0) limits[GPU_RESOURCE] = String(gpu_count);
  return { requests: { cpu: cpu_request, memory: memory_request }, ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}

function probesOf(job: JobModel, container: ContainerSpec): Pick<V1Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const port = container.ports[0]?.port;
  if (!container.health_check_path || port === undefined) return {};
  const httpGet = { path: container.health_check_path, port };
  // Model servers download and load weights before /health answers; the startup probe holds liveness off
  // for up to 30 minutes instead of killing a pod that is merely loading.
  const startupFailures = job.spec.kind === 'model' ? 180 : 60;
  const startupProbe: V1Probe = { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: startupFailures };
  const readinessProbe: V1Probe = { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
  const livenessProbe: V1Probe = { httpGet, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 };
  return { startupProbe, readinessProbe, livenessProbe };
}

export interface PodTemplateOptions {
  restartPolicy: 'Always' | 'Never';
  mounts: ClaimMount[];
  extraEnv?: Record<string, string>;
  extraLabels?: Record<string, string>;
}

/** The pod template shared by Deployments and Jobs. Throws a validation error for a forbidden image host. */
export function podTemplate(job: JobModel, container: ContainerSpec, options: PodTemplateOptions): V1PodTemplateSpec {
  const imageProblems = checkImageHost(container.image, 'spec.image');
  if (imageProblems.length > 0) throw AppError.validation(`spec.image ${imageProblems[0]?.message ?? 'is not allowed'}`, imageProblems);

  const gpus = job.resources.gpu_count;
  const secretNames = secretEnvNames(job);
  // A secret value wins over a plain one of the same name (an engine default such as HF_HOME, say).
  const env: Record<string, string> = { ...options.extraEnv, ...container.env };
  for (const name of secretNames) delete env[name];
  const volumes: V1Volume[] = options.mounts.map((m) => ({ name: m.volumeName, persistentVolumeClaim: { claimName: m.claimName } }));
  const volumeMounts: V1VolumeMount[] = options.mounts.map((m) => ({ name: m.volumeName, mountPath: m.mountPath }));
  if (gpus > 0) {
    // The container runtime's 64 MiB /dev/shm breaks NCCL and PyTorch dataloaders on multi-GPU work.
    volumes.push({ name: 'bud-dshm', emptyDir: { medium: 'Memory' } });
    volumeMounts.push({ name: 'bud-dshm', mountPath: '/dev/shm' });
  }
  const files = fileMounts(job, volumeMounts);
  volumes.push(...files.volumes);
  volumeMounts.push(...files.volumeMounts);
  const annotations: Record<string, string> = {};
  // A change of secret_env alone changes no other template field, and pods read the Secret only when they
  // start: the digest of the sealed values makes it roll the pods (docs/design.md#in-place-update).
  if (job.secretEnvSealed) annotations[SECRET_ENV_DIGEST_ANNOTATION] = secretEnvDigest(job.secretEnvSealed);
  const digest = filesDigest(job);
  if (digest) annotations[FILES_DIGEST_ANNOTATION] = digest;

  const main: V1Container = {
    name: MAIN_CONTAINER,
    image: container.image,
    ...(container.command ? { command: [...container.command] } : {}),
    ...(container.args ? { args: [...container.args] } : {}),
    env: [
      ...Object.keys(env).map((name): V1EnvVar => ({ name, value: env[name] ?? '' })),
      ...secretNames.map((name): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secretEnvName(job), key: name } } })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ports: container.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
    resources: resourcesOf(job),
    ...probesOf(job, container),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    securityContext: { allowPrivilegeEscalation: false },
  };

  return {
    metadata: {
      labels: { ...jobLabels(job), ...options.extraLabels },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      restartPolicy: options.restartPolicy,
      containers: [main],
      // Tenant workloads have no business talking to the Kubernetes API.
      automountServiceAccountToken: false,
      // Service-link env vars collide with engine settings (a Service named `vllm` sets VLLM_PORT=tcp://…).
      enableServiceLinks: false,
      ...(volumes.length > 0 ? { volumes } : {}),
      ...(gpus > 0 && job.resources.gpu_type ? { nodeSelector: { [GPU_PRODUCT_LABEL]: job.resources.gpu_type } } : {}),
      // GPU node pools are commonly tainted so that only GPU work lands there.
      ...(gpus > 0 ? { tolerations: [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }] } : {}),
    },
  };
}
