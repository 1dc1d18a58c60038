// `kueue.admissions_per_s`: how many Workloads Kueue admits per second on the test bed, for comparison with
// Kueue's own published scale numbers. `npm run bench:cluster -- kueue [jobs=200] [concurrency=16]` (Kueue is
// added to the test bed if it runs none). N suspended batch Jobs are queued in a ClusterQueue held by
// `stopPolicy: Hold` until every Job has its Workload; then the hold is lifted and the clock runs until every
// Workload is Admitted (the figure), and until every Job is unsuspended by Kueue's Job reconciler (reported
// beside it). Creation speed is thus not measured. The bench's namespace,
// ClusterQueue and ResourceFlavor are deleted afterwards.
import { randomBytes } from 'node:crypto';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { round } from '../bench/stats';
import { kubeConfigFrom } from './cluster-setup';
import { MANAGED_NAMESPACE_LABEL } from './kueue';
import type { TestbedState } from './layout';
import { progress } from './progress';
import { readFileSync } from 'node:fs';

const KUEUE = { group: 'kueue.x-k8s.io', version: 'v1beta2' };

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface KueueAdmissionsResult {
  'kueue.admissions_per_s': number;
  jobs: number;
  queue_seconds: number;
  admit_all_seconds: number;
  unsuspend_all_seconds: number;
  jobs_unsuspended_per_s: number;
}

interface Workload {
  status?: { conditions?: Array<{ type: string; status: string }> };
}

export async function benchKueueAdmissions(state: TestbedState, jobs: number, concurrency: number): Promise<KueueAdmissionsResult> {
  if (!state.kueue) throw new Error('the test bed runs no Kueue');
  const config = kubeConfigFrom(readFileSync(state.kubeconfig, 'utf8'));
  const core = config.makeApiClient(CoreV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const suffix = randomBytes(3).toString('hex');
  const namespace = `bench-kueue-${suffix}`;
  const flavor = `bench-${suffix}`;
  const clusterQueue = `bench-${suffix}`;
  try {
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { ...MANAGED_NAMESPACE_LABEL } } } });
    await custom.createClusterCustomObject({
      ...KUEUE,
      plural: 'resourceflavors',
      body: { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: flavor }, spec: {} },
    });
    await custom.createClusterCustomObject({
      ...KUEUE,
      plural: 'clusterqueues',
      body: {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'ClusterQueue',
        metadata: { name: clusterQueue },
        spec: {
          stopPolicy: 'Hold',
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          resourceGroups: [
            {
              coveredResources: ['cpu', 'memory'],
              flavors: [
                {
                  name: flavor,
                  resources: [
                    { name: 'cpu', nominalQuota: String(jobs) },
                    { name: 'memory', nominalQuota: `${jobs}Gi` },
                  ],
                },
              ],
            },
          ],
        },
      },
    });
    await custom.createNamespacedCustomObject({
      ...KUEUE,
      namespace,
      plural: 'localqueues',
      body: { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'bud', namespace }, spec: { clusterQueue } },
    });

    progress('bench', `queueing ${jobs} suspended Jobs, ${concurrency} at a time, in ClusterQueue ${clusterQueue} (held)`);
    const queueStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs) {
          const name = `bench-${next++}`;
          await batch.createNamespacedJob({
            namespace,
            body: {
              metadata: { name, labels: { 'kueue.x-k8s.io/queue-name': 'bud' } },
              spec: {
                suspend: true,
                template: {
                  spec: {
                    restartPolicy: 'Never',
                    containers: [
                      { name: 'main', image: 'registry.invalid/bench:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
                    ],
                  },
                },
              },
            },
          });
        }
      }),
    );
    const countWorkloads = async () =>
      ((await custom.listNamespacedCustomObject({ ...KUEUE, namespace, plural: 'workloads' })) as { items: unknown[] }).items.length;
    await until(`${jobs} Workloads`, async () => (await countWorkloads()) >= jobs, 10 * 60_000, 250);
    const queueSeconds = (Date.now() - queueStarted) / 1000;

    progress('bench', `${jobs} Workloads queued in ${queueSeconds.toFixed(1)} s; lifting the hold`);
    const started = Date.now();
    await custom.patchClusterCustomObject(
      { ...KUEUE, plural: 'clusterqueues', name: clusterQueue, body: { spec: { stopPolicy: 'None' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    let admitSeconds: number | undefined;
    await until(
      `${jobs} Jobs unsuspended`,
      async () => {
        if (admitSeconds === undefined) {
          const list = (await custom.listNamespacedCustomObject({ ...KUEUE, namespace, plural: 'workloads' })) as { items: Workload[] };
          const admitted = list.items.filter((w) => w.status?.conditions?.some((c) => c.type === 'Admitted' && c.status === 'True'));
          if (admitted.length >= jobs) admitSeconds = (Date.now() - started) / 1000;
        }
        return (await batch.listNamespacedJob({ namespace })).items.filter((j) => j.spec?.suspend === false).length >= jobs;
      },
      10 * 60_000,
    );
    const unsuspendSeconds = (Date.now() - started) / 1000;
    const admitAll = admitSeconds ?? unsuspendSeconds;
    return {
      'kueue.admissions_per_s': round(jobs / admitAll),
      jobs,
      queue_seconds: round(queueSeconds),
      admit_all_seconds: round(admitAll),
      unsuspend_all_seconds: round(unsuspendSeconds),
      jobs_unsuspended_per_s: round(jobs / unsuspendSeconds),
    };
  } finally {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    // Kueue drops the ClusterQueue's finalizer once the namespace's Workloads are gone.
    await custom.deleteClusterCustomObject({ ...KUEUE, plural: 'clusterqueues', name: clusterQueue }).catch(() => undefined);
    await custom.deleteClusterCustomObject({ ...KUEUE, plural: 'resourceflavors', name: flavor }).catch(() => undefined);
  }
}
