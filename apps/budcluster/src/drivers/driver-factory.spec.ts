import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { systemClock } from '@bud/ports';
import type { ClusterEntity } from '../entities';
import { createDriver, type DriverFactoryDeps } from './driver-factory';
import { KubernetesDriver } from './kubernetes';
import { kubeconfigDocument } from '../../test/support/kubernetes-fixtures';

// A stored row is opened as-is (openSealed is the identity here), as rows written before a policy existed would be.
const storedCluster = (kubeconfig: string): ClusterEntity => ({
  id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  name: 'old-row',
  type: 'kubernetes',
  tenantId: null,
  status: 'ready',
  statusMessage: null,
  ingressUrl: null,
  gpuInventory: {},
  priceTable: { gpu_hour: {}, vcpu_hour: 0, memory_gib_hour: 0, storage_gib_month: 0 },
  settings: null,
  isolation: null,
  kubeconfigEncrypted: kubeconfig,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  version: 1,
});

const deps = (allowPrivateAddresses = false): DriverFactoryDeps => ({
  clock: systemClock,
  openSealed: (sealed) => sealed,
  resyncIntervalMs: 60_000,
  orphanGraceMs: 60_000,
  allowPrivateAddresses,
});

describe('createDriver opens a stored kubeconfig under the same policy as registration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stored-kubeconfig-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a stored exec plugin, naming the field, and never runs it', async () => {
    const marker = join(dir, 'exec-ran');
    const cluster = storedCluster(
      dump(kubeconfigDocument({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [marker] } } })),
    );
    let driver: { start(sink: () => Promise<void>): Promise<void>; stop(): Promise<void> } | undefined;
    await expect(
      createDriver(cluster, deps()).then((made) => {
        driver = made;
      }),
    ).rejects.toThrow(/kubeconfig\.users\[0\]\.user\.exec runs a command/);
    // Had a driver been made, starting it is what would have run the plugin.
    await driver?.start(async () => undefined).catch(() => undefined);
    await driver?.stop();
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    [
      'a stored file reference',
      kubeconfigDocument({ user: { tokenFile: '/etc/hostname' } }),
      /kubeconfig\.users\[0\]\.user\.tokenFile names a file/,
    ],
    [
      'a stored loopback server',
      kubeconfigDocument({ server: 'https://127.0.0.1:6443' }),
      /kubeconfig\.clusters\[0\]\.cluster\.server host '127\.0\.0\.1' is a loopback address/,
    ],
  ])('refuses %s', async (_case, document, message) => {
    await expect(createDriver(storedCluster(dump(document)), deps())).rejects.toThrow(message);
  });

  it('opens an inline kubeconfig, and a loopback server when private addresses are allowed', async () => {
    expect(await createDriver(storedCluster(dump(kubeconfigDocument())), deps())).toBeInstanceOf(KubernetesDriver);
    expect(await createDriver(storedCluster(dump(kubeconfigDocument({ server: 'https://127.0.0.1:6443' }))), deps(true))).toBeInstanceOf(
      KubernetesDriver,
    );
  });
});
