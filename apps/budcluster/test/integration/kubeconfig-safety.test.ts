import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { dump } from 'js-yaml';
import { kubeconfigDocument } from '../support/kubernetes-fixtures';
import { startHarness } from '../support/harness';
import type { Harness, HttpAnswer } from '../support/harness';

// A TEST-NET-1 address: public-looking (not loopback, link-local or private), and never a real API server.
const PUBLIC_LOOKING_SERVER = 'https://192.0.2.1:6443';

interface ErrorBody {
  message: string;
  details: Array<{ path: string; message: string }>;
}

const registerOn = (h: Harness, document: Record<string, unknown>): Promise<HttpAnswer<ErrorBody>> =>
  h.http<ErrorBody>('POST', '/api/v1/clusters', {
    body: { name: `k-${randomUUID().slice(0, 8)}`, type: 'kubernetes', kubeconfig: dump(document) },
  });

const expectRefusedAt = (answer: HttpAnswer<ErrorBody>, path: string, message: RegExp): void => {
  expect(answer.status).toBe(422);
  expect(answer.body.details).toContainEqual({ path, message: expect.stringMatching(message) });
};

describe('registering a kubernetes cluster runs no command and reads no file of the budcluster host', () => {
  let h: Harness;
  let dir: string;
  let marker: string;

  beforeAll(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-marker-'));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    marker = join(dir, randomUUID());
  });

  const touchExec = () => ({ apiVersion: 'client.authentication.k8s.io/v1', command: 'touch', args: [marker], interactiveMode: 'Never' });
  const touchAuthProvider = () => ({ name: 'gcp', config: { 'cmd-path': '/usr/bin/touch', 'cmd-args': marker } });

  it.each<[string, () => Record<string, unknown>, string]>([
    [
      'the user is an exec credential plugin',
      () => kubeconfigDocument({ server: PUBLIC_LOOKING_SERVER, user: { exec: touchExec() } }),
      'kubeconfig.users[0].user.exec',
    ],
    [
      'the user is an auth-provider with a cmd-path',
      () => kubeconfigDocument({ server: PUBLIC_LOOKING_SERVER, user: { 'auth-provider': touchAuthProvider() } }),
      'kubeconfig.users[0].user.auth-provider',
    ],
    [
      'an exec plugin hides next to an inline token',
      () => kubeconfigDocument({ server: PUBLIC_LOOKING_SERVER, user: { token: 'inline', exec: touchExec() } }),
      'kubeconfig.users[0].user.exec',
    ],
    [
      'the current user is inline but another user of the file has an exec plugin',
      () => kubeconfigDocument({ server: PUBLIC_LOOKING_SERVER, moreUsers: [{ name: 'other', user: { exec: touchExec() } }] }),
      'kubeconfig.users[1].user.exec',
    ],
    [
      'another user of the file has an auth-provider',
      () =>
        kubeconfigDocument({
          server: PUBLIC_LOOKING_SERVER,
          moreUsers: [{ name: 'other', user: { 'auth-provider': touchAuthProvider() } }],
        }),
      'kubeconfig.users[1].user.auth-provider',
    ],
  ])('refuses it when %s, naming the field, and the command never runs', async (_case, document, path) => {
    const answer = await registerOn(h, document());
    expectRefusedAt(answer, path, /runs a command on the budcluster host/);
    expect(existsSync(marker)).toBe(false);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a token file', kubeconfigDocument({ user: { tokenFile: '/etc/hostname' } }), 'kubeconfig.users[0].user.tokenFile', /names a file/],
    [
      'a client certificate file',
      kubeconfigDocument({ user: { 'client-certificate': '/etc/ssl/cert.pem', 'client-key-data': 'a2V5' } }),
      'kubeconfig.users[0].user.client-certificate',
      /names a file/,
    ],
    [
      'a client key file',
      kubeconfigDocument({ user: { 'client-certificate-data': 'Y2VydA==', 'client-key': '/etc/ssl/key.pem' } }),
      'kubeconfig.users[0].user.client-key',
      /names a file/,
    ],
    [
      'a certificate authority file',
      kubeconfigDocument({ cluster: { 'certificate-authority': '/etc/ssl/ca.pem' } }),
      'kubeconfig.clusters[0].cluster.certificate-authority',
      /names a file/,
    ],
    [
      'a proxy',
      kubeconfigDocument({ cluster: { 'proxy-url': 'http://proxy.example.com:3128' } }),
      'kubeconfig.clusters[0].cluster.proxy-url',
      /proxy/,
    ],
    [
      'basic authentication',
      kubeconfigDocument({ user: { username: 'admin', password: 'secret' } }),
      'kubeconfig.users[0].user.username',
      /basic authentication/,
    ],
    [
      'a field the policy does not know',
      kubeconfigDocument({ cluster: { 'disable-compression': true } }),
      'kubeconfig.clusters[0].cluster.disable-compression',
      /not an accepted/,
    ],
    ['a YAML merge key', { ...kubeconfigDocument({}), '<<': { users: [] } }, 'kubeconfig["<<"]', /not an accepted/],
  ])('refuses %s, naming the field', async (_case, document, path, message) => {
    expectRefusedAt(await registerOn(h, document), path, message);
  });

  it('refuses a kubeconfig with anchors and aliases before reading it', async () => {
    const answer = await h.http<ErrorBody>('POST', '/api/v1/clusters', {
      body: { name: 'aliased', type: 'kubernetes', kubeconfig: 'users: &u [{name: u, user: {token: t}}]\nclusters: *u\n' },
    });
    expectRefusedAt(answer, 'kubeconfig', /anchors and aliases are not allowed/);
  });
});

describe('registering a kubernetes cluster reaches no address inside the platform', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a loopback IPv4 address',
      kubeconfigDocument({ server: 'https://127.0.0.1:6443' }),
      'kubeconfig.clusters[0].cluster.server',
      /loopback/,
    ],
    [
      'the cloud metadata address',
      kubeconfigDocument({ server: 'https://169.254.169.254' }),
      'kubeconfig.clusters[0].cluster.server',
      /link-local/,
    ],
    ['a name for loopback', kubeconfigDocument({ server: 'https://localhost:6443' }), 'kubeconfig.clusters[0].cluster.server', /loopback/],
    ['IPv6 loopback', kubeconfigDocument({ server: 'https://[::1]:6443' }), 'kubeconfig.clusters[0].cluster.server', /loopback/],
    [
      'IPv4-mapped IPv6 metadata',
      kubeconfigDocument({ server: 'https://[::ffff:169.254.169.254]' }),
      'kubeconfig.clusters[0].cluster.server',
      /link-local/,
    ],
    [
      'the unspecified address',
      kubeconfigDocument({ server: 'https://0.0.0.0:6443' }),
      'kubeconfig.clusters[0].cluster.server',
      /unspecified/,
    ],
    [
      'the GCP metadata name',
      kubeconfigDocument({ server: 'https://metadata.google.internal' }),
      'kubeconfig.clusters[0].cluster.server',
      /metadata/,
    ],
    [
      'a second cluster of the file on the metadata address',
      kubeconfigDocument({
        server: PUBLIC_LOOKING_SERVER,
        moreClusters: [{ name: 'other', cluster: { server: 'https://169.254.169.254' } }],
      }),
      'kubeconfig.clusters[1].cluster.server',
      /link-local/,
    ],
  ])('refuses %s by default, naming the server', async (_case, document, path, message) => {
    expectRefusedAt(await registerOn(h, document), path, message);
  });

  it('says an unreachable public-looking server could not be reached, with no upstream detail', async () => {
    const answer = await registerOn(h, kubeconfigDocument({ server: PUBLIC_LOOKING_SERVER }));
    expectRefusedAt(answer, 'kubeconfig.clusters[0].cluster.server', /^the cluster's API server could not be reached/);
    const text = JSON.stringify(answer.body);
    expect(text).not.toMatch(/ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|reason:|192\.0\.2\.1/);
  });
});

describe('CLUSTER_API_ALLOW_PRIVATE_ADDRESSES=true (development and the test bed)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: 'true' });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('lets a loopback server be tried, and still answers without upstream detail', async () => {
    const answer = await registerOn(h, kubeconfigDocument({ server: 'https://127.0.0.1:1' }));
    expectRefusedAt(answer, 'kubeconfig.clusters[0].cluster.server', /^the cluster's API server could not be reached/);
    expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('still refuses an exec plugin', async () => {
    const answer = await registerOn(h, kubeconfigDocument({ server: 'https://127.0.0.1:1', user: { exec: { command: 'true' } } }));
    expectRefusedAt(answer, 'kubeconfig.users[0].user.exec', /runs a command/);
  });
});
