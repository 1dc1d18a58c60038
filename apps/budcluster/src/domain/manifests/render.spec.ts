import type { ContainerSpec, HelmSpec, JobSpec, ModelSpec } from '@bud/contracts';
import { AppError } from '@bud/errors';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { JOB_ID, makeJob } from '../../../test/support/job-model.builder';
import type { JobModel } from '../job-model';
import type { HelmReleaseSpec, HelmRepositorySpec, KubernetesObject, RenderOptions, WorkloadObject } from './index';
import { renderManifests, serviceOutputs } from './index';

// Independent of the renderer's own helpers, so a bug there cannot hide here.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

const TENANT_ID = '7d1e6a2b-8c9f-4e3d-b2a1-0f9e8d7c6b5a';
const USECASE_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

const container = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  kind: 'container',
  image: 'ghcr.io/acme/api:1.4.2',
  env: { LOG_LEVEL: 'info' },
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  health_check_path: '/healthz',
  ...overrides,
});
const model = (overrides: Partial<ModelSpec> = {}): ModelSpec => ({
  kind: 'model',
  engine: 'vllm',
  model_id: 'meta-llama/Llama-3.1-8B-Instruct',
  ...overrides,
});
const helm = (overrides: Partial<HelmSpec> = {}): HelmSpec => ({
  kind: 'helm',
  chart_ref: 'oci://registry-1.docker.io/bitnamicharts/redis',
  chart_version: '20.1.0',
  values: { architecture: 'standalone', service: { port: 6379 } },
  ...overrides,
});

/** A pending use-case service of two replicas, labelled, for the renderer's labels and names. */
const usecaseJob = (overrides: Partial<JobModel> = {}, spec: JobSpec = container()): JobModel =>
  makeJob(
    {
      tenantId: TENANT_ID,
      sourceType: 'usecase',
      usecaseDeploymentId: USECASE_ID,
      resources: { gpu_count: 0, cpu_request: '500m', cpu_limit: '2', memory_request: '1Gi', memory_limit: '2Gi', replicas: 2 },
      labels: { team: 'search' },
      status: 'pending',
      ...overrides,
    },
    spec,
  );

const gpu = (count: number, storage?: string): JobModel['resources'] => ({
  gpu_type: 'NVIDIA-A100-SXM4-80GB',
  gpu_count: count,
  cpu_request: '8',
  memory_request: '64Gi',
  replicas: 1,
  ...(storage ? { storage } : {}),
});

const noKueue: RenderOptions = { kueue: false };
const withKueue: RenderOptions = { kueue: true };

const validators: Record<string, (o: KubernetesObject) => void> = {
  'apps/v1 Deployment': (o) => new Deployment(o as unknown as ConstructorParameters<typeof Deployment>[0]).validate(),
  'batch/v1 Job': (o) => new Job(o as unknown as ConstructorParameters<typeof Job>[0]).validate(),
  'v1 Service': (o) => new Service(o).validate(),
  'v1 PersistentVolumeClaim': (o) => new PersistentVolumeClaim(o).validate(),
  'v1 Secret': (o) => new Secret(o).validate(),
  'source.toolkit.fluxcd.io/v1 HelmRepository': (o) => validateHelmRepository(o),
  'helm.toolkit.fluxcd.io/v2 HelmRelease': (o) => validateHelmRelease(o),
};

/** The HelmRepository CRD fields we rely on (source.toolkit.fluxcd.io/v1). */
function validateHelmRepository(o: KubernetesObject): void {
  const spec = (o as WorkloadObject).spec as HelmRepositorySpec;
  expect(Object.keys(spec).sort()).toEqual(expect.arrayContaining(['interval', 'url']));
  expect(Object.keys(spec).every((k) => ['url', 'interval', 'type'].includes(k))).toBe(true);
  expect(spec.url).toMatch(/^(https|oci):\/\/[^/]+/);
  expect(spec.interval).toMatch(FLUX_DURATION);
  if (spec.url.startsWith('oci://')) expect(spec.type).toBe('oci');
  else expect(spec.type).toBeUndefined();
}

/** The HelmRelease CRD fields we rely on (helm.toolkit.fluxcd.io/v2). */
function validateHelmRelease(o: KubernetesObject): void {
  const spec = (o as WorkloadObject).spec as HelmReleaseSpec;
  expect(
    Object.keys(spec).every((k) =>
      ['interval', 'timeout', 'releaseName', 'serviceAccountName', 'chart', 'install', 'upgrade', 'commonMetadata', 'values'].includes(k),
    ),
  ).toBe(true);
  // helm-controller installs the chart as the namespace's release account, never with its own rights.
  expect(spec.serviceAccountName).toBe('bud-release');
  expect(spec.interval).toMatch(FLUX_DURATION);
  expect(spec.timeout).toMatch(FLUX_DURATION);
  expect(spec.releaseName).toMatch(DNS_LABEL);
  expect(spec.releaseName.length).toBeLessThanOrEqual(53);
  expect(typeof spec.chart.spec.chart).toBe('string');
  expect(spec.chart.spec.chart.length).toBeGreaterThan(0);
  expect(spec.chart.spec.sourceRef.kind).toBe('HelmRepository');
  expect(spec.chart.spec.sourceRef.name).toMatch(DNS_LABEL);
  expect(spec.chart.spec.interval).toMatch(FLUX_DURATION);
  expect(Number.isInteger(spec.install.remediation.retries)).toBe(true);
  expect(Number.isInteger(spec.upgrade.remediation.retries)).toBe(true);
  expect(typeof spec.values).toBe('object');
  for (const [key, value] of Object.entries(spec.commonMetadata.labels)) {
    expect(key).toMatch(LABEL_KEY);
    expect(value).toMatch(LABEL_VALUE);
  }
}

function expectValidObject(o: KubernetesObject, job: JobModel): void {
  const validate = validators[`${o.apiVersion} ${o.kind}`];
  expect(validate).toBeDefined();
  validate?.(o);
  // Plain JSON only: no undefined fields, dates or class instances reach the API server.
  expect(JSON.parse(JSON.stringify(o))).toStrictEqual(o);
  expect(o.metadata.namespace).toBe(job.namespace);
  expect(o.metadata.name.length).toBeLessThanOrEqual(253);
  for (const [key, value] of Object.entries(o.metadata.labels)) {
    expect(key).toMatch(LABEL_KEY);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(LABEL_VALUE);
  }
  expect(o.metadata.labels).toMatchObject({
    'app.kubernetes.io/managed-by': 'budcluster',
    'bud.ai/tenant-id': job.tenantId,
    'bud.ai/source-type': job.sourceType,
  });
  // Claims outlive their job (docs/design.md#volumes): they carry their own name instead of the job id.
  if (o.kind === 'PersistentVolumeClaim') {
    expect(o.metadata.labels['bud.ai/job-id']).toBeUndefined();
    expect(o.metadata.labels['bud.ai/volume']).toBe(o.metadata.name);
  } else {
    expect(o.metadata.labels['bud.ai/job-id']).toBe(job.id);
  }
  if (o.kind === 'Deployment' || o.kind === 'Job') {
    const template = (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    expect(template.metadata.labels['bud.ai/job-id']).toBe(job.id);
    for (const value of Object.values(template.metadata.labels)) expect(value).toMatch(LABEL_VALUE);
  }
}

const find = <T>(objects: KubernetesObject[], kind: string): T => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} among ${objects.map((o) => o.kind).join(', ')}`);
  return found as unknown as T;
};
const kindsOf = (objects: KubernetesObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('renderManifests', () => {
  it.each<[string, JobModel, RenderOptions, string[]]>([
    ['a container service → Deployment + Service', usecaseJob(), noKueue, ['Deployment/chat-api-0b6f7f5e', 'Service/chat-api-0b6f7f5e']],
    [
      'a container service with storage → a data claim first',
      usecaseJob({ resources: { ...usecaseJob().resources, storage: '20Gi' } }),
      noKueue,
      ['PersistentVolumeClaim/chat-api-data', 'Deployment/chat-api-0b6f7f5e', 'Service/chat-api-0b6f7f5e'],
    ],
    [
      'a container service with volumes → one claim each',
      usecaseJob(
        {},
        container({
          volumes: [
            { name: 'cache', mount_path: '/cache', size: '5Gi' },
            { name: 'db', mount_path: '/var/lib/db', size: '10Gi' },
          ],
        }),
      ),
      noKueue,
      [
        'PersistentVolumeClaim/chat-api-cache',
        'PersistentVolumeClaim/chat-api-db',
        'Deployment/chat-api-0b6f7f5e',
        'Service/chat-api-0b6f7f5e',
      ],
    ],
    [
      'a service without ports → no Service',
      usecaseJob({}, container({ ports: [], health_check_path: undefined })),
      noKueue,
      ['Deployment/chat-api-0b6f7f5e'],
    ],
    ['a service under Kueue', usecaseJob(), withKueue, ['Deployment/chat-api-0b6f7f5e', 'Service/chat-api-0b6f7f5e']],
    [
      'a vLLM model on 4 GPUs with a weight cache',
      usecaseJob({ name: 'llama', resources: gpu(4, '200Gi') }, model()),
      noKueue,
      ['PersistentVolumeClaim/llama-model-cache', 'Deployment/llama-0b6f7f5e', 'Service/llama-0b6f7f5e'],
    ],
    [
      'a TensorRT-LLM model',
      usecaseJob({ name: 'trt', resources: gpu(2) }, model({ engine: 'tensorrt-llm' })),
      noKueue,
      ['Deployment/trt-0b6f7f5e', 'Service/trt-0b6f7f5e'],
    ],
    [
      'a TEI embedding model on CPU',
      usecaseJob({ name: 'embed' }, model({ engine: 'tei', model_id: 'BAAI/bge-small-en-v1.5' })),
      noKueue,
      ['Deployment/embed-0b6f7f5e', 'Service/embed-0b6f7f5e'],
    ],
    [
      'a LatentBud embedding model',
      usecaseJob({ name: 'latent', resources: gpu(1) }, model({ engine: 'latentbud', model_id: 'BAAI/bge-m3' })),
      withKueue,
      ['Deployment/latent-0b6f7f5e', 'Service/latent-0b6f7f5e'],
    ],
    [
      'a batch container → Job',
      usecaseJob({ name: 'etl', jobType: 'batch', policy: { ...usecaseJob().policy, max_runtime_seconds: 3600 } }),
      noKueue,
      ['Job/etl-0b6f7f5e'],
    ],
    ['a batch Job under Kueue', usecaseJob({ name: 'etl', jobType: 'batch' }), withKueue, ['Job/etl-0b6f7f5e']],
    [
      'a batch model (offline inference)',
      usecaseJob({ name: 'offline', jobType: 'batch', resources: gpu(1) }, model()),
      noKueue,
      ['Job/offline-0b6f7f5e'],
    ],
    [
      'training → checkpoint claim + Job',
      usecaseJob({ name: 'ft', jobType: 'training', resources: gpu(8, '500Gi') }),
      noKueue,
      ['PersistentVolumeClaim/ft-checkpoints', 'Job/ft-0b6f7f5e'],
    ],
    [
      'training under Kueue with a default checkpoint size',
      usecaseJob({ name: 'ft', jobType: 'training', resources: gpu(1) }),
      withKueue,
      ['PersistentVolumeClaim/ft-checkpoints', 'Job/ft-0b6f7f5e'],
    ],
    [
      'an OCI helm chart → HelmRepository (oci) + HelmRelease',
      usecaseJob({ name: 'cache' }, helm()),
      noKueue,
      ['HelmRepository/cache-0b6f7f5e', 'HelmRelease/cache-0b6f7f5e'],
    ],
    [
      'an https helm chart → HelmRepository + HelmRelease',
      usecaseJob({ name: 'qdrant' }, helm({ chart_ref: 'https://qdrant.github.io/qdrant-helm/qdrant', chart_version: undefined })),
      withKueue,
      ['HelmRepository/qdrant-0b6f7f5e', 'HelmRelease/qdrant-0b6f7f5e'],
    ],
    [
      'a bundled chart → only a HelmRelease on the platform source',
      usecaseJob({ name: 'rag' }, helm({ chart_ref: 'charts/rag-orchestrator' })),
      noKueue,
      ['HelmRelease/rag-0b6f7f5e'],
    ],
  ])('%s', (_name, job, options, expected) => {
    const objects = renderManifests(job, options);
    expect(kindsOf(objects)).toEqual(expected);
    for (const o of objects) expectValidObject(o, job);
  });

  it('is pure: the same job renders the same objects and the job is not mutated', () => {
    const job = usecaseJob({ resources: gpu(2, '100Gi') }, model());
    const before = JSON.stringify(job);
    expect(renderManifests(job, withKueue)).toStrictEqual(renderManifests(job, withKueue));
    expect(JSON.stringify(job)).toBe(before);
  });
});

describe('service workloads', () => {
  it('renders the container, resources, probes and a Service on the spec ports', () => {
    const job = usecaseJob(
      {},
      container({
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { port: 9090, protocol: 'TCP' },
        ],
        command: ['/app'],
        args: ['--serve'],
      }),
    );
    const objects = renderManifests(job, noKueue);
    const deployment = find<IDeployment>(objects, 'Deployment');
    const pod = deployment.spec?.template.spec;
    const main = pod?.containers[0];
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.selector.matchLabels).toEqual({ 'bud.ai/job-id': JOB_ID });
    expect(pod?.restartPolicy).toBe('Always');
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.enableServiceLinks).toBe(false);
    expect(main).toMatchObject({
      image: 'ghcr.io/acme/api:1.4.2',
      command: ['/app'],
      args: ['--serve'],
      env: [{ name: 'LOG_LEVEL', value: 'info' }],
      ports: [
        { containerPort: 8080, protocol: 'TCP', name: 'http' },
        { containerPort: 9090, protocol: 'TCP' },
      ],
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      startupProbe: { httpGet: { path: '/healthz', port: 8080 } },
    });
    expect(pod?.nodeSelector).toBeUndefined();
    const service = find<IService>(objects, 'Service');
    expect(service.spec?.selector).toEqual({ 'bud.ai/job-id': JOB_ID });
    expect(service.spec?.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' },
      { name: 'p-9090', port: 9090, targetPort: 9090, protocol: 'TCP' },
    ]);
  });

  it('omits probes when no health path is given', () => {
    const main = find<IDeployment>(renderManifests(usecaseJob({}, container({ health_check_path: undefined })), noKueue), 'Deployment').spec
      ?.template.spec?.containers[0];
    expect(main?.readinessProbe).toBeUndefined();
    expect(main?.livenessProbe).toBeUndefined();
  });

  it('asks for GPUs as nvidia.com/gpu limits on the requested product, with shared memory and the GPU toleration', () => {
    const job = usecaseJob({ name: 'llama', resources: gpu(4, '200Gi') }, model());
    const deployment = find<IDeployment>(renderManifests(job, noKueue), 'Deployment');
    const pod = deployment.spec?.template.spec;
    const main = pod?.containers[0];
    expect(main?.resources?.limits).toEqual({ 'nvidia.com/gpu': '4' });
    expect(main?.resources?.requests).toEqual({ cpu: '8', memory: '64Gi' });
    expect(pod?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    expect(pod?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(main?.volumeMounts).toEqual([
      { name: 'model-cache', mountPath: '/models' },
      { name: 'bud-dshm', mountPath: '/dev/shm' },
    ]);
    expect(main?.image).toBe('vllm/vllm-openai:v0.12.0');
    expect(main?.args).toEqual(['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000', '--tensor-parallel-size', '4']);
    expect(main?.startupProbe?.failureThreshold).toBe(180);
  });

  it.each<[string, JobModel]>([
    ['a CPU service', usecaseJob()],
    ['a GPU model', usecaseJob({ resources: gpu(1) }, model())],
    ['a GPU model with a weight cache claim', usecaseJob({ name: 'llama', resources: gpu(4, '200Gi') }, model())],
    ['a service with volumes', usecaseJob({}, container({ volumes: [{ name: 'db', mount_path: '/db', size: '1Gi' }] }))],
  ])('rolls %s out with a surge of one and no unavailable replica', (_name, job) => {
    const deployment = find<IDeployment>(renderManifests(job, noKueue), 'Deployment');
    expect(deployment.spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it.each<[string, JobModel, string]>([
    ['a Deployment', usecaseJob({ generation: 4 }), 'Deployment'],
    ['a batch Job', usecaseJob({ name: 'etl', jobType: 'batch', generation: 4 }), 'Job'],
    ['a HelmRelease', usecaseJob({ name: 'cache', generation: 4 }, helm()), 'HelmRelease'],
  ])('stamps the job generation on %s, not on its pod template', (_name, job, kind) => {
    const objects = renderManifests(job, noKueue);
    const workload = find<KubernetesObject>(objects, kind);
    expect(workload.metadata.annotations).toEqual({ 'bud.ai/generation': '4' });
    const template = (workload as WorkloadObject).spec as { template?: { metadata?: { annotations?: object } } };
    expect(template.template?.metadata?.annotations).toBeUndefined();
    for (const o of objects.filter((other) => other.kind !== kind)) expect(o.metadata.annotations).toBeUndefined();
  });

  it('rolls the pods when only the sealed secret_env changes, and not otherwise', () => {
    const template = (job: JobModel) => find<IDeployment>(renderManifests(job, noKueue), 'Deployment').spec?.template;
    const digest = (job: JobModel) => template(job)?.metadata?.annotations?.['bud.ai/secret-env-digest'];
    expect(template(usecaseJob())?.metadata?.annotations).toBeUndefined();
    expect(digest(usecaseJob({ secretEnvSealed: 'sealed-a' }))).toMatch(/^[0-9a-f]{16}$/);
    expect(digest(usecaseJob({ secretEnvSealed: 'sealed-a', generation: 2 }))).toBe(digest(usecaseJob({ secretEnvSealed: 'sealed-a' })));
    expect(digest(usecaseJob({ secretEnvSealed: 'sealed-b' }))).not.toBe(digest(usecaseJob({ secretEnvSealed: 'sealed-a' })));
  });

  it('renders the same pod template for another generation of the same spec', () => {
    const template = (job: JobModel) => find<IDeployment>(renderManifests(job, noKueue), 'Deployment').spec?.template;
    expect(template(usecaseJob({ generation: 7 }))).toEqual(template(usecaseJob({ generation: 1 })));
  });

  it('labels claims with their owner and name but not the job, under a name that only the job name and volume decide', () => {
    const volumes = [{ name: 'db', mount_path: '/db', size: '1Gi' }];
    const claimOf = (job: JobModel) => find<IPersistentVolumeClaim>(renderManifests(job, noKueue), 'PersistentVolumeClaim');
    const first = claimOf(usecaseJob({}, container({ volumes })));
    const rerun = claimOf(usecaseJob({ id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', generation: 3 }, container({ volumes })));
    expect(first.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'budcluster',
      'bud.ai/tenant-id': TENANT_ID,
      'bud.ai/source-type': 'usecase',
      'bud.ai/usecase-deployment-id': USECASE_ID,
      team: 'search',
      'bud.ai/volume': 'chat-api-db',
    });
    expect(rerun).toEqual(first);
  });

  it('mounts each container volume from its own claim of the requested size', () => {
    const job = usecaseJob({}, container({ volumes: [{ name: 'cache', mount_path: '/cache', size: '5Gi' }] }));
    const objects = renderManifests(job, noKueue);
    const claim = find<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } });
    const pod = find<IDeployment>(objects, 'Deployment').spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'cache', persistentVolumeClaim: { claimName: 'chat-api-cache' } }]);
    expect(pod?.containers[0]?.volumeMounts).toEqual([{ name: 'cache', mountPath: '/cache' }]);
  });

  it('labels the Deployment and its pods for Kueue (the deployment integration gates each pod), but not the Service', () => {
    const objects = renderManifests(usecaseJob({ priorityClass: 'high' }), withKueue);
    const deployment = find<IDeployment>(objects, 'Deployment');
    const expected = { 'kueue.x-k8s.io/queue-name': 'bud', 'kueue.x-k8s.io/priority-class': 'bud-high' };
    expect(deployment.metadata?.labels).toMatchObject(expected);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject(expected);
    expect(find<IService>(objects, 'Service').metadata?.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  it('gives a job name starting with a digit a Service name that starts with a letter', () => {
    const objects = renderManifests(usecaseJob({ name: '7b-chat' }), noKueue);
    expect(find<IService>(objects, 'Service').metadata?.name).toBe('j-7b-chat-0b6f7f5e');
    expect(find<IService>(objects, 'Service').metadata?.name).toMatch(DNS_1035);
  });

  it('refuses a container image from a loopback registry', () => {
    expect(() => renderManifests(usecaseJob({}, container({ image: 'localhost:5000/evil' })), noKueue)).toThrow(AppError);
  });
});

describe('batch and training workloads', () => {
  it('leaves retries to budcluster (backoffLimit 0) and bounds the run by max_runtime_seconds', () => {
    const job = usecaseJob({ name: 'etl', jobType: 'batch', policy: { ...usecaseJob().policy, max_runtime_seconds: 3600 } });
    const k8sJob = find<IJob>(renderManifests(job, noKueue), 'Job');
    expect(k8sJob.spec).toMatchObject({ backoffLimit: 0, completions: 1, parallelism: 1, activeDeadlineSeconds: 3600 });
    expect(k8sJob.spec?.suspend).toBeUndefined();
    expect(k8sJob.spec?.template.spec?.restartPolicy).toBe('Never');
  });

  it('has no deadline when max_runtime_seconds is not set', () => {
    expect(find<IJob>(renderManifests(usecaseJob({ jobType: 'batch' }), noKueue), 'Job').spec?.activeDeadlineSeconds).toBeUndefined();
  });

  it("creates the Job suspended in the namespace's LocalQueue bud with its WorkloadPriorityClass under Kueue", () => {
    // A policy.queue_name is not used on Kubernetes: the tenant's ClusterQueue holds its quota.
    const job = usecaseJob({ jobType: 'batch', priorityClass: 'low', policy: { ...usecaseJob().policy, queue_name: 'research' } });
    const k8sJob = find<IJob>(renderManifests(job, withKueue), 'Job');
    expect(k8sJob.spec?.suspend).toBe(true);
    expect(k8sJob.metadata?.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'bud', 'kueue.x-k8s.io/priority-class': 'bud-low' });
    // The Job's own pods are not Kueue's pods: the labels stay on the Job.
    expect(k8sJob.spec?.template.metadata?.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  it('gives training a checkpoint claim sized by storage, mounted at /checkpoints with CHECKPOINT_DIR', () => {
    const objects = renderManifests(usecaseJob({ name: 'ft', jobType: 'training', resources: gpu(8, '500Gi') }), noKueue);
    expect(find<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim').spec?.resources?.requests).toEqual({ storage: '500Gi' });
    const pod = find<IJob>(objects, 'Job').spec?.template.spec;
    expect(pod?.volumes).toContainEqual({ name: 'bud-checkpoints', persistentVolumeClaim: { claimName: 'ft-checkpoints' } });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({ name: 'bud-checkpoints', mountPath: '/checkpoints' });
    expect(pod?.containers[0]?.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
    expect(pod?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/gpu': '8' });
  });

  it('defaults the checkpoint claim to 50Gi and lets the spec env override CHECKPOINT_DIR', () => {
    const job = usecaseJob({ jobType: 'training' }, container({ env: { CHECKPOINT_DIR: '/checkpoints/run-1' } }));
    const objects = renderManifests(job, noKueue);
    expect(find<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim').spec?.resources?.requests).toEqual({ storage: '50Gi' });
    expect(find<IJob>(objects, 'Job').spec?.template.spec?.containers[0]?.env).toContainEqual({
      name: 'CHECKPOINT_DIR',
      value: '/checkpoints/run-1',
    });
  });
});

describe('helm releases', () => {
  const release = (objects: KubernetesObject[]): HelmReleaseSpec => find<WorkloadObject>(objects, 'HelmRelease').spec as HelmReleaseSpec;
  const repository = (objects: KubernetesObject[]): HelmRepositorySpec =>
    find<WorkloadObject>(objects, 'HelmRepository').spec as HelmRepositorySpec;

  it('splits an OCI ref into an oci HelmRepository and the chart name, pinned to the chart version', () => {
    const objects = renderManifests(usecaseJob({ name: 'cache' }, helm()), noKueue);
    expect(repository(objects)).toEqual({ url: 'oci://registry-1.docker.io/bitnamicharts', interval: '1h', type: 'oci' });
    expect(release(objects).chart.spec).toEqual({
      chart: 'redis',
      version: '20.1.0',
      sourceRef: { kind: 'HelmRepository', name: 'cache-0b6f7f5e' },
      interval: '1h',
    });
  });

  it('splits an https ref into the repository index URL and the chart name', () => {
    const objects = renderManifests(
      usecaseJob({ name: 'qdrant' }, helm({ chart_ref: 'https://qdrant.github.io/qdrant-helm/qdrant', chart_version: undefined })),
      noKueue,
    );
    expect(repository(objects)).toEqual({ url: 'https://qdrant.github.io/qdrant-helm', interval: '1h' });
    expect(release(objects).chart.spec.chart).toBe('qdrant');
    expect(release(objects).chart.spec.version).toBeUndefined();
  });

  it('passes values through and sets install/upgrade remediation from the retry policy', () => {
    const spec = release(renderManifests(usecaseJob({ policy: { ...usecaseJob().policy, max_retries: 2 } }, helm()), noKueue));
    expect(spec.values).toEqual({ architecture: 'standalone', service: { port: 6379 } });
    expect(spec.install).toEqual({ remediation: { retries: 2 } });
    expect(spec.upgrade).toEqual({ remediation: { retries: 2, remediateLastFailure: true }, cleanupOnFail: true });
  });

  it('labels everything the chart renders through commonMetadata', () => {
    const spec = release(renderManifests(usecaseJob({}, helm()), noKueue));
    expect(spec.commonMetadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'budcluster',
      'bud.ai/job-id': JOB_ID,
      team: 'search',
    });
  });

  it('uses the release name from the spec, else the job name cut to Helm’s 53 characters', () => {
    expect(release(renderManifests(usecaseJob({}, helm({ release_name: 'redis-main' })), noKueue)).releaseName).toBe('redis-main');
    const longName = `a${'-b'.repeat(31)}`;
    const name = release(renderManifests(usecaseJob({ name: longName }, helm()), noKueue)).releaseName;
    expect(name.length).toBeLessThanOrEqual(53);
    expect(name).toMatch(DNS_LABEL);
  });

  it('points bundled charts at the platform chart source, which the options can override', () => {
    const job = usecaseJob({}, helm({ chart_ref: 'charts/rag-orchestrator' }));
    expect(release(renderManifests(job, noKueue)).chart.spec.sourceRef).toEqual({
      kind: 'HelmRepository',
      name: 'bud-charts',
      namespace: 'flux-system',
    });
    expect(release(renderManifests(job, { kueue: false, platformChartSource: { name: 'charts' } })).chart.spec.sourceRef).toEqual({
      kind: 'HelmRepository',
      name: 'charts',
    });
  });

  it.each<[string, HelmSpec]>([
    ['a privileged value', helm({ values: { securityContext: { privileged: true } } })],
    ['a loopback chart host', helm({ chart_ref: 'oci://127.0.0.1/charts/x' })],
    ['a file: chart', helm({ chart_ref: 'file:///charts/x' })],
  ])('refuses to render %s even if the edge check was skipped', (_name, spec) => {
    expect(() => renderManifests(usecaseJob({}, spec), noKueue)).toThrow(AppError);
  });
});

describe('labels', () => {
  it('passes the job’s own valid labels through unchanged', () => {
    const labels = renderManifests(usecaseJob({ labels: { team: 'search', 'example.com/cost-center': 'CC_42.a' } }), noKueue)[0]?.metadata
      .labels;
    expect(labels).toMatchObject({ team: 'search', 'example.com/cost-center': 'CC_42.a' });
  });

  it('never lets a job label impersonate identity or Kueue labels', () => {
    const job = usecaseJob({
      labels: {
        'bud.ai/job-id': 'someone-else',
        'bud.ai/tenant-id': 'other',
        'app.kubernetes.io/managed-by': 'helm',
        'kueue.x-k8s.io/queue-name': 'vip-queue',
      },
    });
    const labels = renderManifests(job, noKueue)[0]?.metadata.labels;
    expect(labels).toMatchObject({ 'bud.ai/job-id': JOB_ID, 'bud.ai/tenant-id': TENANT_ID, 'app.kubernetes.io/managed-by': 'budcluster' });
    expect(labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  it('turns bad values into valid ones and drops keys that can never be valid', () => {
    const job = usecaseJob({ labels: { note: 'has spaces & symbols!', long: 'x'.repeat(100), 'Bad Key': 'v', '-edge': 'v', ok: '' } });
    const objects = renderManifests(job, withKueue);
    for (const o of objects) expectValidObject(o, job);
    const labels = objects[0]?.metadata.labels;
    expect(labels?.['note']).toBe('has-spaces---symbols');
    expect(labels?.['long']).toBe('x'.repeat(63));
    expect(labels?.['ok']).toBe('');
    expect(labels && 'Bad Key' in labels).toBe(false);
  });

  it('keeps a very long tenant id valid, and the queue is the LocalQueue bud whatever the tenant', () => {
    const tenantId = `tenant.${'z'.repeat(120)}`;
    const job = usecaseJob({ tenantId });
    const objects = renderManifests(job, withKueue);
    const labels = objects[0]?.metadata.labels ?? {};
    expect(labels['bud.ai/tenant-id']).toBe(tenantId.slice(0, 63));
    expect(labels['kueue.x-k8s.io/queue-name']?.length).toBeLessThanOrEqual(63);
    expect(labels['kueue.x-k8s.io/queue-name']).toBe('bud');
    for (const value of Object.values(labels)) expect(value).toMatch(LABEL_VALUE);
  });

  it('omits the use-case label when the job has no use-case deployment', () => {
    const job = usecaseJob({ usecaseDeploymentId: null, sourceType: 'direct' });
    for (const o of renderManifests(job, noKueue)) {
      expect('bud.ai/usecase-deployment-id' in o.metadata.labels).toBe(false);
      expect(o.metadata.labels['bud.ai/source-type']).toBe('direct');
    }
    expect(renderManifests(usecaseJob(), noKueue)[0]?.metadata.labels['bud.ai/usecase-deployment-id']).toBe(USECASE_ID);
  });

  it('copies the job’s annotations onto every object', () => {
    for (const o of renderManifests(usecaseJob({ annotations: { 'bud.ai/owner': 'alice' } }, helm()), noKueue)) {
      expect(o.metadata.annotations).toMatchObject({ 'bud.ai/owner': 'alice' });
    }
  });
});

describe('serviceOutputs', () => {
  it.each<[string, JobModel, object]>([
    [
      'a container service exposes its first port',
      usecaseJob(),
      {
        service: 'chat-api-0b6f7f5e',
        namespace: 'tenant-7d1e6a2b',
        host: 'chat-api-0b6f7f5e.tenant-7d1e6a2b.svc.cluster.local',
        port: 8080,
        url: 'http://chat-api-0b6f7f5e.tenant-7d1e6a2b.svc.cluster.local:8080',
      },
    ],
    [
      'a TEI model is reached on port 80',
      usecaseJob({ name: 'embed', namespace: 'ns' }, model({ engine: 'tei' })),
      {
        service: 'embed-0b6f7f5e',
        namespace: 'ns',
        host: 'embed-0b6f7f5e.ns.svc.cluster.local',
        port: 80,
        url: 'http://embed-0b6f7f5e.ns.svc.cluster.local:80',
      },
    ],
    [
      'a vLLM model is reached on port 8000',
      usecaseJob({ name: 'llm', namespace: 'ns' }, model()),
      {
        service: 'llm-0b6f7f5e',
        namespace: 'ns',
        host: 'llm-0b6f7f5e.ns.svc.cluster.local',
        port: 8000,
        url: 'http://llm-0b6f7f5e.ns.svc.cluster.local:8000',
      },
    ],
    [
      'a helm release is its release name, on the chart’s service.port',
      usecaseJob({ namespace: 'ns' }, helm({ release_name: 'redis-main' })),
      {
        service: 'redis-main',
        namespace: 'ns',
        host: 'redis-main.ns.svc.cluster.local',
        port: 6379,
        url: 'http://redis-main.ns.svc.cluster.local:6379',
      },
    ],
    [
      'a helm release without service.port has no port or url',
      usecaseJob({ name: 'q', namespace: 'ns' }, helm({ values: {} })),
      { service: 'q-0b6f7f5e', namespace: 'ns', host: 'q-0b6f7f5e.ns.svc.cluster.local' },
    ],
    [
      'a service without ports has a host but no url',
      usecaseJob({ name: 'w', namespace: 'ns' }, container({ ports: [] })),
      { service: 'w-0b6f7f5e', namespace: 'ns', host: 'w-0b6f7f5e.ns.svc.cluster.local' },
    ],
    [
      'a name starting with a digit uses the prefixed Service name',
      usecaseJob({ name: '7b', namespace: 'ns' }),
      {
        service: 'j-7b-0b6f7f5e',
        namespace: 'ns',
        host: 'j-7b-0b6f7f5e.ns.svc.cluster.local',
        port: 8080,
        url: 'http://j-7b-0b6f7f5e.ns.svc.cluster.local:8080',
      },
    ],
    ['a batch job has no outputs', usecaseJob({ jobType: 'batch' }), {}],
    ['a training job has no outputs', usecaseJob({ jobType: 'training' }), {}],
  ])('%s', (_name, job, expected) => {
    expect(serviceOutputs(job)).toStrictEqual(expected);
  });

  it('names the Service that renderManifests actually creates', () => {
    for (const name of ['api', '9lives']) {
      const job = usecaseJob({ name });
      expect(serviceOutputs(job).service).toBe(find<IService>(renderManifests(job, noKueue), 'Service').metadata?.name);
    }
  });
});

describe('secret_env', () => {
  const MASKED = { HF_TOKEN: '********', API_KEY: '********' };
  const values = { HF_TOKEN: 'hf_live_value', API_KEY: 'sk-live-value' };
  const envOf = (objects: KubernetesObject[], kind: 'Deployment' | 'Job') =>
    find<IDeployment | IJob>(objects, kind).spec!.template.spec!.containers[0].env ?? [];

  it.each<[string, JobModel]>([
    ['a container service', usecaseJob({}, container({ secret_env: MASKED }))],
    [
      'a model service',
      usecaseJob({ resources: { ...usecaseJob().resources, gpu_count: 1, gpu_type: 'A100-80GB' } }, model({ secret_env: MASKED })),
    ],
    ['a batch job', usecaseJob({ jobType: 'batch' }, container({ secret_env: MASKED }))],
  ])('%s gets its secret env from a Secret applied before the workload, never as plain values', (_name, job) => {
    const objects = renderManifests(job, { kueue: false, secretEnv: values });
    for (const o of objects) expectValidObject(o, job);
    expect(kindsOf(objects)[0]).toBe(`Secret/${job.resourceName}-env`);
    const secret = find<{ type: string; data: Record<string, string> }>(objects, 'Secret');
    expect(secret.type).toBe('Opaque');
    expect(Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))).toEqual(values);
    const env = envOf(objects, job.jobType === 'service' ? 'Deployment' : 'Job');
    expect(env.filter((e) => e.name in values)).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: `${job.resourceName}-env`, key: 'API_KEY' } } },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: `${job.resourceName}-env`, key: 'HF_TOKEN' } } },
    ]);
    expect(env.map((e) => e.name)).toEqual([...env.map((e) => e.name)].sort());
    const workloads = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    for (const value of Object.values(values)) expect(workloads).not.toContain(value);
    expect(workloads).not.toContain('********');
  });

  it('lets a secret value win over a plain one of the same name', () => {
    const job = usecaseJob({}, container({ env: { LOG_LEVEL: 'info', API_KEY: 'plain' }, secret_env: { API_KEY: '********' } }));
    const env = envOf(renderManifests(job, { kueue: false, secretEnv: { API_KEY: 'sk' } }), 'Deployment');
    expect(env.filter((e) => e.name === 'API_KEY')).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'chat-api-0b6f7f5e-env', key: 'API_KEY' } } },
    ]);
  });

  it('names the Secret, empty, when rendering only to delete', () => {
    const job = usecaseJob({}, container({ secret_env: MASKED }));
    const secret = find<{ metadata: { name: string }; data: Record<string, string> }>(renderManifests(job, noKueue), 'Secret');
    expect(secret).toMatchObject({ metadata: { name: 'chat-api-0b6f7f5e-env' }, data: {} });
  });

  it('renders no Secret for a job without secret_env', () => {
    expect(kindsOf(renderManifests(usecaseJob(), noKueue))).not.toContain('Secret/chat-api-0b6f7f5e-env');
  });
});

describe('object names (docs/design.md#object-names)', () => {
  const OTHER_ID = 'c0ffee12-3f4c-4d8e-9a61-1c2b3d4e5f60';
  const names = (job: JobModel): string[] => kindsOf(renderManifests(job, noKueue));
  const secretEnv = container({ secret_env: { API_KEY: 'sealed' }, volumes: [{ name: 'db', mount_path: '/db', size: '1Gi' }] });

  it('names every object after the job’s resource name, not its name', () => {
    const job = usecaseJob({ resourceName: 'chat-api-0b6f7f5e' }, secretEnv);
    expect(names(job)).toEqual([
      'Secret/chat-api-0b6f7f5e-env',
      'PersistentVolumeClaim/chat-api-db',
      'Deployment/chat-api-0b6f7f5e',
      'Service/chat-api-0b6f7f5e',
    ]);
    expect(serviceOutputs(job).host).toBe('chat-api-0b6f7f5e.tenant-7d1e6a2b.svc.cluster.local');
  });

  it.each<[string, JobSpec, Partial<JobModel>]>([
    ['a container service', secretEnv, {}],
    ['a batch job', container({ secret_env: { API_KEY: 'sealed' } }), { jobType: 'batch' }],
    ['a helm release', helm(), {}],
  ])('gives two jobs of one name disjoint objects: %s (claims excepted, which create keeps apart)', (_case, spec, overrides) => {
    const first = names(usecaseJob({ ...overrides, id: JOB_ID }, spec));
    const second = names(usecaseJob({ ...overrides, id: OTHER_ID }, spec));
    const notClaims = (all: string[]) => all.filter((n) => !n.startsWith('PersistentVolumeClaim/'));
    expect(notClaims(first).length).toBeGreaterThan(0);
    expect(notClaims(first).filter((n) => second.includes(n))).toEqual([]);
    expect(first.filter((n) => n.startsWith('PersistentVolumeClaim/'))).toEqual(
      second.filter((n) => n.startsWith('PersistentVolumeClaim/')),
    );
  });

  it('gives two helm jobs of one name different releases, and keeps a release_name given', () => {
    const releaseOf = (id: string, spec: HelmSpec) =>
      find<WorkloadObject>(renderManifests(usecaseJob({ name: 'cache', id }, spec), noKueue), 'HelmRelease').spec as HelmReleaseSpec;
    expect(releaseOf(JOB_ID, helm()).releaseName).toBe('cache-0b6f7f5e');
    expect(releaseOf(OTHER_ID, helm()).releaseName).toBe('cache-c0ffee12');
    const given = usecaseJob({ name: 'cache' }, helm({ release_name: 'redis-main' }));
    expect(names(given)).toEqual(['HelmRepository/redis-main', 'HelmRelease/redis-main']);
    expect(serviceOutputs(given).service).toBe('redis-main');
  });

  it('keeps the plain names of a job created before resource names, so its objects are found again', () => {
    const old = usecaseJob({ name: '7b-chat', resourceName: '7b-chat' }, secretEnv);
    expect(names(old)).toEqual(['Secret/7b-chat-env', 'PersistentVolumeClaim/7b-chat-db', 'Deployment/7b-chat', 'Service/j-7b-chat']);
    expect(serviceOutputs(old).service).toBe('j-7b-chat');
  });
});
