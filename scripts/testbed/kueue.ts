// Kueue in the test bed (on by default since budcluster drives it; TESTBED_KUEUE=0 leaves it out): its CRDs and webhook configurations from the module's
// config/, and its controller manager run as one more test-bed program against the test bed's API server,
// its webhooks on 127.0.0.1 over TLS with a certificate of the test bed's CA (internal cert management off).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiextensionsV1Api, CoreV1Api, KubernetesObjectApi, loadAllYaml, PatchStrategy } from '@kubernetes/client-node';
import { kueueModuleDir, METRICS_CERT_DIR_ENV } from './kueue-source';
import { KUEUE_VERSION, runDir, type TestbedState } from './layout';
import { certificateAuthority, issueServingCertificate } from './pki';
import { progress } from './progress';

/** The environment variable that adds Kueue to a test bed `up` starts (or to the running one). */
export const KUEUE_ENV = 'TESTBED_KUEUE';
/** Kueue's own namespace, as in its release manifests (excluded from its pod webhooks). */
export const KUEUE_NAMESPACE = 'kueue-system';
/** Label keys Kueue copies from a job to its Workload (budcluster finds Workloads by them). */
export const LABEL_KEYS_TO_COPY = ['bud.ai/job-id', 'app.kubernetes.io/managed-by', 'bud.ai/tenant-id'];
/** Kueue manages pods and Deployments only in namespaces with this label (budcluster's namespaces). */
export const MANAGED_NAMESPACE_LABEL = { 'app.kubernetes.io/managed-by': 'budcluster' } as const;
export const FRAMEWORKS = ['batch/job', 'pod', 'deployment'];

/**
 * True unless this process was asked to leave Kueue out of the test bed (TESTBED_KUEUE=0): budcluster drives Kueue
 * (docs/design.md#quotas), so the test bed runs it like a production workload cluster would.
 */
export function kueueRequested(): boolean {
  return process.env[KUEUE_ENV] !== '0';
}

/** True when the test bed of `state` runs Kueue. */
export function testbedHasKueue(state: TestbedState | undefined): boolean {
  return Boolean(state?.kueue);
}

type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };

function yamlDocs(file: string): Manifest[] {
  return (loadAllYaml(readFileSync(file, 'utf8')) as Array<Manifest | null>).filter((d): d is Manifest => Boolean(d?.kind));
}

/** The `- path:` patches a kustomization enables (commented ones are off), and its inline `- patch: |-` ones. */
function kustomizationPatches(dir: string): Manifest[] {
  const kustomization = loadAllYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0] as {
    patches?: Array<{ path?: string; patch?: string }>;
  };
  return (kustomization.patches ?? []).flatMap((p) =>
    p.path ? yamlDocs(join(dir, p.path)) : (loadAllYaml(p.patch ?? '') as Manifest[]).filter(Boolean),
  );
}

/** The CRDs of config/components/crd, with the conversion webhooks its kustomization enables pointed at `webhookUrl`. */
export function kueueCrds(moduleDir: string, webhookUrl: string, caBundle: string): Manifest[] {
  const dir = join(moduleDir, 'config', 'components', 'crd');
  const kustomization = loadAllYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0] as { resources: string[] };
  const crds = kustomization.resources.flatMap((file) => yamlDocs(join(dir, file)));
  for (const patch of kustomizationPatches(dir)) {
    const crd = crds.find((c) => c.metadata.name === patch.metadata.name);
    const conversion = (patch.spec as { conversion?: { webhook?: { clientConfig?: { service?: { path?: string } } } } } | undefined)
      ?.conversion;
    if (!crd || !conversion?.webhook)
      throw new Error(`kueue CRD patch for ${patch.metadata.name}: not a conversion webhook of a listed CRD`);
    const path = conversion.webhook.clientConfig?.service?.path ?? '/convert';
    (crd.spec as Record<string, unknown>).conversion = {
      ...conversion,
      webhook: { ...conversion.webhook, clientConfig: { url: `${webhookUrl}${path}`, caBundle } },
    };
  }
  return crds;
}

interface WebhookEntry {
  name: string;
  clientConfig: { service?: { path?: string }; url?: string; caBundle?: string };
  [key: string]: unknown;
}

/**
 * The Mutating/ValidatingWebhookConfigurations of config/components/webhook (with its kustomization's
 * namespaceSelector patches), named as the release names them (kueue- prefix), each webhook's service
 * reference rewritten to `clientConfig.url: <webhookUrl><path>` with the CA bundle.
 */
export function kueueWebhookConfigurations(moduleDir: string, webhookUrl: string, caBundle: string): Manifest[] {
  const dir = join(moduleDir, 'config', 'components', 'webhook');
  const configurations = yamlDocs(join(dir, 'manifests.yaml'));
  const patches = kustomizationPatches(dir);
  return configurations.map((configuration) => {
    const patchesOfKind = patches.filter((p) => p.kind === configuration.kind && p.metadata.name === configuration.metadata.name);
    const webhooks = (configuration.webhooks as WebhookEntry[]).map((webhook) => {
      const merged = Object.assign(
        {},
        webhook,
        ...patchesOfKind.flatMap((p) => (p.webhooks as WebhookEntry[]).filter((w) => w.name === webhook.name)),
      ) as WebhookEntry;
      const path = webhook.clientConfig.service?.path;
      if (!path) throw new Error(`kueue webhook ${webhook.name}: no service path to rewrite`);
      return { ...merged, clientConfig: { url: `${webhookUrl}${path}`, caBundle } };
    });
    return { ...configuration, metadata: { name: `kueue-${configuration.metadata.name}` }, webhooks };
  });
}

export interface KueuePorts {
  webhookPort: number;
  healthPort: number;
  metricsPort: number;
}

/** Kueue's Configuration (config.kueue.x-k8s.io/v1beta2) for the test bed. */
export function kueueConfigurationYaml(ports: KueuePorts, certDir: string): string {
  const configuration = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    namespace: KUEUE_NAMESPACE,
    health: { healthProbeBindAddress: `127.0.0.1:${ports.healthPort}` },
    metrics: { bindAddress: `127.0.0.1:${ports.metricsPort}` },
    webhook: { host: '127.0.0.1', port: ports.webhookPort, certDir },
    leaderElection: { leaderElect: false },
    internalCertManagement: { enable: false },
    // The release's per-kind concurrency; the client rate like the test bed's other controllers.
    controller: {
      groupKindConcurrency: {
        'Job.batch': 5,
        Pod: 5,
        'Workload.kueue.x-k8s.io': 5,
        'LocalQueue.kueue.x-k8s.io': 1,
        'Cohort.kueue.x-k8s.io': 1,
        'ClusterQueue.kueue.x-k8s.io': 1,
        'ResourceFlavor.kueue.x-k8s.io': 1,
      },
    },
    clientConnection: { qps: 500, burst: 1000 },
    manageJobsWithoutQueueName: false,
    managedJobsNamespaceSelector: { matchLabels: MANAGED_NAMESPACE_LABEL },
    integrations: { frameworks: FRAMEWORKS, labelKeysToCopy: LABEL_KEYS_TO_COPY },
    // In v1beta2 the presence of fairSharing enables it; these are the documented default strategies.
    fairSharing: { preemptionStrategies: ['LessThanOrEqualToFinalShare', 'LessThanInitialShare'] },
    // The visibility API server would bind 0.0.0.0:8082 with certificates from /visibility.
    featureGates: { VisibilityOnDemand: false },
  };
  return `${JSON.stringify(configuration, null, 2)}\n`;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (!alive()) throw new Error(`${what}: kueue exited`);
    if (Date.now() > deadline)
      throw new Error(`${what}: not done after ${timeoutMs / 1000} s${lastError ? ` (${lastError.slice(0, 300)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function apply(objects: KubernetesObjectApi, manifest: Manifest): Promise<void> {
  await objects.patch(manifest as never, undefined, undefined, 'testbed', true, PatchStrategy.ServerSideApply);
}

export interface PreparedKueue {
  ports: KueuePorts;
  /** Arguments and environment of the controller manager. */
  args: string[];
  env: Record<string, string>;
}

/**
 * Before the controller manager starts: its serving certificate, its Configuration file, its namespace and
 * its CRDs (established). Returns how to start it.
 */
export async function prepareKueue(config: KubeConfig, kubeconfigPath: string, ports: KueuePorts): Promise<PreparedKueue> {
  const dir = join(runDir, 'kueue');
  const ca = certificateAuthority();
  const certDir = issueServingCertificate(ca, join(dir, 'certs'), 'kueue-webhook');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, kueueConfigurationYaml(ports, certDir));
  const webhookUrl = `https://127.0.0.1:${ports.webhookPort}`;
  const moduleDir = kueueModuleDir();

  const objects = KubernetesObjectApi.makeApiClient(config);
  await config
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: KUEUE_NAMESPACE } } })
    .catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  const crds = kueueCrds(moduleDir, webhookUrl, ca.caBundle);
  for (const crd of crds) await apply(objects, crd);
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  await until(
    'Kueue CRDs established',
    async () => {
      for (const { metadata } of crds) {
        const crd = await extensions.readCustomResourceDefinition({ name: metadata.name });
        if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
      }
      return true;
    },
    60_000,
    () => true,
  );
  progress('up', `Kueue ${KUEUE_VERSION} CRDs established (${crds.length})`);
  return {
    ports,
    args: [`--kubeconfig=${kubeconfigPath}`, `--config=${configFile}`, '--zap-log-level=info'],
    // The patched build reads its metrics certificate from here instead of /etc/kueue/metrics/certs.
    env: { [METRICS_CERT_DIR_ENV]: certDir },
  };
}

/**
 * Once the controller manager runs: applies the webhook configurations and waits until its webhooks answer
 * (a dry-run create of a ResourceFlavor, which both its mutating and validating webhooks see, succeeds).
 */
export async function activateKueueWebhooks(config: KubeConfig, ports: KueuePorts, alive: () => boolean): Promise<void> {
  const ca = certificateAuthority();
  const objects = KubernetesObjectApi.makeApiClient(config);
  for (const configuration of kueueWebhookConfigurations(kueueModuleDir(), `https://127.0.0.1:${ports.webhookPort}`, ca.caBundle)) {
    await apply(objects, configuration);
  }
  await until(
    'Kueue webhooks answering (dry-run ResourceFlavor create)',
    async () => {
      await objects.create(
        { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'testbed-readiness-probe' }, spec: {} } as never,
        undefined,
        'All',
      );
      return true;
    },
    120_000,
    alive,
  );
}
