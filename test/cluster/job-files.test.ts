// Job files on the kubernetes driver against the test bed's real control plane (docs/design.md#files): the API server
// accepts the ConfigMap, the Secret and the pod's read-only subPath mounts with their modes; a changed file rolls a new
// ReplicaSet; remove deletes both objects. kwok readies the pods.
import { randomUUID } from 'node:crypto';
import type { JobFile, JobSpec } from '@bud/contracts';
import { SECRET_MASK } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import type { JobModel, ObservedStatus } from '../../apps/budcluster/src/domain/job-model';
import { KubernetesDriver } from '../../apps/budcluster/src/drivers/kubernetes';
import { makeJob } from '../../apps/budcluster/test/support/job-model.builder';
import { acquireTestbed, isGone, type Testbed } from './support/testbed';

const SLOW = { timeoutMs: 60_000, intervalMs: 100 };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TOKEN = 'tok-from-a-secret-parameter';

const FILES: JobFile[] = [
  { path: '/pipelines/rag/pipeline_wrapper.py', content: 'TOP_K = 3\n', mode: '0444' },
  { path: '/pipelines/rag/run.sh', content: '#!/bin/sh\n', mode: '0555' },
  { path: '/app/token', content: SECRET_MASK, mode: '0400', secret: true },
];
const web = (files: JobFile[]): JobSpec => ({
  kind: 'container',
  image: 'nginx:1.27',
  env: {},
  ports: [{ port: 80, protocol: 'TCP' }],
  health_check_path: '/',
  files,
});

describe('kubernetes driver: job files on the test bed control plane', () => {
  let testbed: Testbed;
  let driver: KubernetesDriver;
  const reports: ObservedStatus[] = [];
  const namespace = `files-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    testbed = await acquireTestbed();
    // The "sealed" values are plain JSON here: the driver only needs them opened.
    driver = new KubernetesDriver(testbed.kubeconfig, {
      clusterId: 'job-files',
      clock: { now: () => Date.now() },
      orphanGraceMs: 0,
      logger: quiet,
      openSecret: (sealed) => sealed,
    });
    await driver.start(async (observed) => {
      reports.push(observed);
    });
  }, 60 * 60_000);

  afterAll(async () => {
    await driver?.stop();
    await testbed?.release();
  }, 120_000);

  const rolledOut = (job: JobModel) =>
    pollUntil(
      () => reports.filter((r) => r.jobId === job.id).at(-1),
      (r) => r !== undefined && r.status === 'running' && r.rollout?.generation === job.generation && r.rollout.complete === true,
      { ...SLOW, what: `${job.name}: generation ${job.generation} rolled out` },
    );
  const filesName = (job: JobModel) => `${job.resourceName}-files`;

  it('mounts each file read-only from its ConfigMap or Secret, rolls a changed file out, and deletes both on remove', async () => {
    let job = makeJob(
      {
        id: randomUUID(),
        name: `files-${randomUUID().slice(0, 6)}`,
        namespace,
        status: 'pending',
        generation: 1,
        secretEnvSealed: JSON.stringify({ '/app/token': TOKEN }),
      },
      web(FILES),
    );
    await driver.apply(job);
    await rolledOut(job);

    const configMap = await testbed.kube.core.readNamespacedConfigMap({ name: filesName(job), namespace });
    expect(configMap.data).toEqual({ '0-pipeline_wrapper.py': 'TOP_K = 3\n', '1-run.sh': '#!/bin/sh\n' });
    expect(configMap.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'budcluster', 'bud.ai/job-id': job.id });
    const secret = await testbed.kube.core.readNamespacedSecret({ name: filesName(job), namespace });
    expect(Buffer.from(secret.data?.['2-token'] ?? '', 'base64').toString()).toBe(TOKEN);

    const deployment = await testbed.kube.apps.readNamespacedDeployment({ name: job.resourceName, namespace });
    const pod = deployment.spec?.template.spec;
    expect(pod?.volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'bud-files',
          configMap: expect.objectContaining({
            name: filesName(job),
            items: [
              { key: '0-pipeline_wrapper.py', path: '0-pipeline_wrapper.py', mode: 0o444 },
              { key: '1-run.sh', path: '1-run.sh', mode: 0o555 },
            ],
          }),
        }),
        expect.objectContaining({
          name: 'bud-secret-files',
          secret: expect.objectContaining({ secretName: filesName(job), items: [{ key: '2-token', path: '2-token', mode: 0o400 }] }),
        }),
      ]),
    );
    expect(pod?.containers[0]?.volumeMounts).toEqual([
      { name: 'bud-files', mountPath: '/pipelines/rag/pipeline_wrapper.py', subPath: '0-pipeline_wrapper.py', readOnly: true },
      { name: 'bud-files', mountPath: '/pipelines/rag/run.sh', subPath: '1-run.sh', readOnly: true },
      { name: 'bud-secret-files', mountPath: '/app/token', subPath: '2-token', readOnly: true },
    ]);
    const digest = deployment.spec?.template.metadata?.annotations?.['bud.ai/files-digest'];
    expect(digest).toMatch(/^[0-9a-f]{16}$/);

    // A changed file: the ConfigMap holds the new content and the pods roll (a subPath mount never sees the change).
    job = {
      ...job,
      status: 'running',
      generation: 2,
      spec: web(FILES.map((f, k) => (k === 0 ? { ...f, content: 'TOP_K = 7\n' } : f))),
    };
    await driver.apply(job);
    await rolledOut(job);
    const updated = await testbed.kube.core.readNamespacedConfigMap({ name: filesName(job), namespace });
    expect(updated.data?.['0-pipeline_wrapper.py']).toBe('TOP_K = 7\n');
    const after = await testbed.kube.apps.readNamespacedDeployment({ name: job.resourceName, namespace });
    expect(after.spec?.template.metadata?.annotations?.['bud.ai/files-digest']).not.toBe(digest);

    await driver.remove(job);
    await pollUntil(
      async () =>
        (await isGone(() => testbed.kube.core.readNamespacedConfigMap({ name: filesName(job), namespace }))) &&
        (await isGone(() => testbed.kube.core.readNamespacedSecret({ name: filesName(job), namespace }))),
      (gone) => gone,
      { ...SLOW, what: 'the files ConfigMap and Secret deleted' },
    );
  });
});
