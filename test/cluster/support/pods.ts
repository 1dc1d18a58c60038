// The test plays the kubelet for readiness: it writes a pod's Ready condition on the status subresource, as
// a kubelet does when a readiness probe starts or stops failing (kwok readies pods once and then leaves them).
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './testbed';

export async function podsOfJob(kube: KubeClients, namespace: string, jobId: string): Promise<V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace, labelSelector: `bud.ai/job-id=${jobId}` })).items;
}

export const isPodReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Sets the pod's Ready and ContainersReady conditions (merged by type, the other conditions stay). */
export async function setPodReady(kube: KubeClients, namespace: string, name: string, ready: boolean): Promise<void> {
  const status = ready ? 'True' : 'False';
  const lastTransitionTime = new Date().toISOString();
  await kube.core.patchNamespacedPodStatus(
    {
      namespace,
      name,
      body: {
        status: {
          conditions: [
            { type: 'Ready', status, lastTransitionTime, ...(ready ? {} : { reason: 'ReadinessProbeFailed' }) },
            { type: 'ContainersReady', status, lastTransitionTime },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
}
