import type { ContainerSpec, JobFile, JobSpec, ModelSpec } from '@bud/contracts';
import { SECRET_MASK } from '@bud/contracts';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { makeJob } from '../../../test/support/job-model.builder';
import type { JobModel } from '../job-model';
import { fileMountClashes } from './file-clashes';
import type { KubernetesObject } from './index';
import { FILES_DIGEST_ANNOTATION, MANAGED_BY_LABEL, JOB_ID_LABEL, renderManifests } from './index';

// Independent of the renderer: what the API server accepts as a ConfigMap/Secret key.
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

const FILES: JobFile[] = [
  { path: '/pipelines/rag/pipeline_wrapper.py', content: 'class PipelineWrapper: ...\n', mode: '0444' },
  { path: '/pipelines/rag/rag.yml', content: 'components: {}\n', mode: '0555' },
  { path: '/app/config/rag.yml', content: 'top_k: 5\n', mode: '0400' },
  { path: '/app/credentials.json', content: SECRET_MASK, mode: '0400', secret: true },
];
const OPENED = { '/app/credentials.json': '{"api_key": "sk-live-1"}', API_KEY: 'sk-env' };

const container = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  kind: 'container',
  image: 'docker.io/deepset/hayhooks:v0.10.1',
  env: { HAYHOOKS_PIPELINES_DIR: '/pipelines' },
  ports: [{ name: 'http', port: 1416, protocol: 'TCP' }],
  files: FILES,
  ...overrides,
});
const model = (overrides: Partial<ModelSpec> = {}): ModelSpec => ({
  kind: 'model',
  engine: 'vllm',
  model_id: 'meta-llama/Llama-3.1-8B-Instruct',
  files: [{ path: '/templates/chat.jinja', content: '{{ messages }}', mode: '0444' }],
  ...overrides,
});
const jobWith = (spec: JobSpec, overrides: Partial<JobModel> = {}): JobModel =>
  makeJob({ sourceType: 'usecase', secretEnvSealed: 'sealed-v1', ...overrides }, spec);

function find<T>(objects: KubernetesObject[], kind: string): T {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${objects.map((o) => o.kind).join(', ')}`);
  return found as T;
}
const podOf = (objects: KubernetesObject[], kind: 'Deployment' | 'Job') => find<IDeployment | IJob>(objects, kind).spec!.template;
const decode = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

describe('files (docs/design.md#files)', () => {
  it.each<[string, JobModel, 'Deployment' | 'Job']>([
    ['a container service', jobWith(container()), 'Deployment'],
    ['a batch job', jobWith(container(), { jobType: 'batch' }), 'Job'],
  ])('%s: plain files in a ConfigMap, secret ones in a Secret, each mounted read-only at its path', (_name, job, kind) => {
    const objects = renderManifests(job, { kueue: false, secretEnv: OPENED });
    const name = `${job.resourceName}-files`;
    const configMap = find<{ metadata: { name: string; labels: Record<string, string> }; data: Record<string, string> }>(
      objects,
      'ConfigMap',
    );
    new ConfigMap(configMap).validate();
    expect(configMap.metadata.name).toBe(name);
    expect(configMap.metadata.labels).toMatchObject({ [MANAGED_BY_LABEL]: 'budcluster', [JOB_ID_LABEL]: job.id });
    expect(configMap.data).toEqual({
      '0-pipeline_wrapper.py': 'class PipelineWrapper: ...\n',
      '1-rag.yml': 'components: {}\n',
      '2-rag.yml': 'top_k: 5\n',
    });
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name) as { data: Record<string, string> } | undefined;
    expect(secret).toBeDefined();
    new Secret(secret).validate();
    expect(decode(secret?.data ?? {})).toEqual({ '3-credentials.json': '{"api_key": "sk-live-1"}' });
    // The env Secret holds only env names, never a file's content.
    expect(JSON.stringify(objects.filter((o) => o.metadata.name !== name))).not.toContain('sk-live-1');

    const pod = podOf(objects, kind);
    if (kind === 'Deployment') new Deployment(find(objects, 'Deployment')).validate();
    else new Job(find(objects, 'Job')).validate();
    expect(pod.spec?.volumes).toEqual([
      {
        name: 'bud-files',
        configMap: {
          name,
          items: [
            { key: '0-pipeline_wrapper.py', path: '0-pipeline_wrapper.py', mode: 0o444 },
            { key: '1-rag.yml', path: '1-rag.yml', mode: 0o555 },
            { key: '2-rag.yml', path: '2-rag.yml', mode: 0o400 },
          ],
        },
      },
      {
        name: 'bud-secret-files',
        secret: { secretName: name, items: [{ key: '3-credentials.json', path: '3-credentials.json', mode: 0o400 }] },
      },
    ]);
    expect(pod.spec?.containers[0]?.volumeMounts).toEqual([
      { name: 'bud-files', mountPath: '/pipelines/rag/pipeline_wrapper.py', subPath: '0-pipeline_wrapper.py', readOnly: true },
      { name: 'bud-files', mountPath: '/pipelines/rag/rag.yml', subPath: '1-rag.yml', readOnly: true },
      { name: 'bud-files', mountPath: '/app/config/rag.yml', subPath: '2-rag.yml', readOnly: true },
      { name: 'bud-secret-files', mountPath: '/app/credentials.json', subPath: '3-credentials.json', readOnly: true },
    ]);
    // Objects the pod reads come before the workload that reads them.
    const order = objects.map((o) => o.kind);
    expect(order.indexOf('ConfigMap')).toBeLessThan(order.indexOf(kind));
  });

  it('mounts files of a model job next to its cache volume', () => {
    const job = jobWith(model(), {
      resources: { gpu_count: 1, gpu_type: 'A100-80GB', cpu_request: '4', memory_request: '16Gi', replicas: 1 },
    });
    const objects = renderManifests(job, { kueue: false });
    const mounts = podOf(objects, 'Deployment').spec?.containers[0]?.volumeMounts ?? [];
    expect(mounts).toContainEqual({ name: 'bud-files', mountPath: '/templates/chat.jinja', subPath: '0-chat.jinja', readOnly: true });
    expect(find<{ data: Record<string, string> }>(objects, 'ConfigMap').data).toEqual({ '0-chat.jinja': '{{ messages }}' });
    expect(objects.some((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-files'))).toBe(false);
  });

  it('keeps keys unique and valid when two directories hold a file of one name, or a name is 253 characters', () => {
    const long = 'a'.repeat(253);
    const files: JobFile[] = [
      { path: '/a/config.yaml', content: 'a', mode: '0444' },
      { path: '/b/config.yaml', content: 'b', mode: '0444' },
      { path: `/c/${long}`, content: 'c', mode: '0444' },
    ];
    const data = find<{ data: Record<string, string> }>(renderManifests(jobWith(container({ files })), { kueue: false }), 'ConfigMap').data;
    expect(Object.keys(data)).toHaveLength(3);
    for (const key of Object.keys(data)) {
      expect(key).toMatch(CONFIG_MAP_KEY);
      expect(key.length).toBeLessThanOrEqual(253);
    }
  });

  it('renders the files Secret empty, named, when rendering only to delete', () => {
    const objects = renderManifests(jobWith(container()), { kueue: false });
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-files'));
    expect(secret).toMatchObject({ data: {} });
  });

  it('renders nothing for a job without files, and no files annotation', () => {
    const objects = renderManifests(jobWith(container({ files: undefined }), { secretEnvSealed: null }), { kueue: false });
    expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
    expect(podOf(objects, 'Deployment').metadata?.annotations).toBeUndefined();
  });

  it('rolls the pods when a file changes (a subPath mount never sees its ConfigMap change), and not otherwise', () => {
    const digest = (files: JobFile[]) =>
      podOf(renderManifests(jobWith(container({ files })), { kueue: false }), 'Deployment').metadata?.annotations?.[
        FILES_DIGEST_ANNOTATION
      ];
    const base = digest(FILES);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(digest(FILES)).toBe(base);
    expect(digest(FILES.map((f, k) => (k === 2 ? { ...f, content: 'top_k: 6\n' } : f)))).not.toBe(base);
    expect(digest(FILES.map((f, k) => (k === 2 ? { ...f, mode: '0444' } : f)))).not.toBe(base);
  });

  it('refuses a file at or above one of the job’s volume mounts, naming its path', () => {
    const volumes = [{ name: 'db', mount_path: '/var/lib/db', size: '1Gi' }];
    const files: JobFile[] = [
      { path: '/app/a.py', content: '', mode: '0444' },
      { path: '/var/lib/db', content: '', mode: '0444' },
      { path: '/var/lib', content: '', mode: '0444' },
      { path: '/var/lib/db/inside.conf', content: '', mode: '0444' },
    ];
    expect(fileMountClashes(jobWith(container({ files, volumes })))).toEqual([
      { path: 'spec.files[1].path', message: 'would hide the volume mounted at /var/lib/db' },
      { path: 'spec.files[2].path', message: 'would hide the volume mounted at /var/lib/db' },
    ]);
    const data = jobWith(container({ files: [{ path: '/data', content: '', mode: '0444' }] }), {
      resources: { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1, storage: '1Gi' },
    });
    expect(fileMountClashes(data)).toEqual([{ path: 'spec.files[0].path', message: 'would hide the volume mounted at /data' }]);
    expect(() => renderManifests(data, { kueue: false })).toThrow('spec.files[0].path would hide the volume mounted at /data');
  });
});
