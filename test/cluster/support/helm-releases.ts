// The test's stand-in for Flux's helm-controller (the issue asks the test to play it): writes HelmRelease
// status on the real API server, as helm-controller would after an install.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClients } from './testbed';

const HELM = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' };

interface Release {
  metadata: { name: string; namespace: string; generation: number };
  status?: { observedGeneration?: number };
}

/** Sets one condition (and observedGeneration) on a HelmRelease's status subresource. */
export async function setReleaseCondition(
  kube: KubeClients,
  namespace: string,
  name: string,
  condition: Record<string, string>,
): Promise<void> {
  const release = (await kube.custom.getNamespacedCustomObject({ ...HELM, namespace, name })) as Release;
  await kube.custom.patchNamespacedCustomObjectStatus(
    {
      ...HELM,
      namespace,
      name,
      body: {
        status: {
          observedGeneration: release.metadata.generation,
          conditions: [{ ...condition, lastTransitionTime: new Date().toISOString() }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Marks every HelmRelease of a namespace Ready once it appears, until stopped. */
export function installSucceedsIn(kube: KubeClients, namespace: string): { stop(): void } {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const list = (await kube.custom.listNamespacedCustomObject({ ...HELM, namespace }).catch(() => ({ items: [] }))) as {
        items: Release[];
      };
      for (const release of list.items) {
        if (release.status?.observedGeneration === release.metadata.generation) continue;
        await setReleaseCondition(kube, namespace, release.metadata.name, {
          type: 'Ready',
          status: 'True',
          reason: 'InstallSucceeded',
          message: 'Helm install succeeded',
        }).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  void loop();
  return { stop: () => (stopped = true) };
}
