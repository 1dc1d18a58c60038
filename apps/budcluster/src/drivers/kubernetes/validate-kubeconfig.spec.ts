import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:net';
import type { LookupAll } from './cluster-address';
import { closedPort, kubeconfigYaml } from '../../../test/support/kubernetes-fixtures';
import { validateKubeconfig } from './validate-kubeconfig';

const allowingLocal = { allowPrivateAddresses: true };

describe('validateKubeconfig', () => {
  it('refuses text that is not YAML', async () => {
    const verdict = await validateKubeconfig('clusters: [unclosed\n  - {', allowingLocal);
    expect(verdict).toMatchObject({ ok: false, details: [{ path: 'kubeconfig', message: expect.stringMatching(/^does not parse: /) }] });
  });

  it('refuses an empty kubeconfig', async () => {
    expect(await validateKubeconfig(' \n', allowingLocal)).toEqual({
      ok: false,
      message: 'the kubeconfig was refused: kubeconfig does not parse: it is empty',
      details: [{ path: 'kubeconfig', message: 'does not parse: it is empty' }],
    });
  });

  it.each(['just a string', '- a\n- list'])('refuses YAML that is not a mapping: %j', async (text) => {
    const verdict = await validateKubeconfig(text, allowingLocal);
    expect(verdict).toMatchObject({
      ok: false,
      details: [{ path: 'kubeconfig', message: 'must be a YAML mapping with clusters, users and contexts' }],
    });
  });

  it('refuses a kubeconfig with two contexts', async () => {
    const verdict = await validateKubeconfig(kubeconfigYaml('https://127.0.0.1:6443', ['staging', 'production']), allowingLocal);
    expect(verdict).toMatchObject({
      ok: false,
      details: [{ path: 'kubeconfig.contexts', message: 'has 2 contexts; exactly one is required' }],
    });
  });

  it('refuses a kubeconfig with no context', async () => {
    const verdict = await validateKubeconfig(kubeconfigYaml('https://127.0.0.1:6443', []), allowingLocal);
    expect(verdict).toMatchObject({
      ok: false,
      details: [{ path: 'kubeconfig.contexts', message: 'has 0 contexts; exactly one is required' }],
    });
  });

  it('says a server that refuses the connection could not be reached, naming the server field but no upstream detail', async () => {
    const port = await closedPort();
    const verdict = await validateKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`), allowingLocal);
    expect(verdict).toEqual({
      ok: false,
      message: expect.stringMatching(/could not be reached/),
      details: [
        { path: 'kubeconfig.clusters[0].cluster.server', message: expect.stringMatching(/^the cluster's API server could not be reached/) },
      ],
    });
    expect(JSON.stringify(verdict)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });
});

describe('validateKubeconfig connects only to the address it checked', () => {
  let listener: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('refuses a name that resolves to a public address when checked and to loopback when connecting (DNS rebinding)', async () => {
    let queries = 0;
    const rebinding: LookupAll = (_hostname, _options, callback) => {
      queries += 1;
      const address = queries === 1 ? '203.0.113.10' : '127.0.0.1';
      callback(null, [{ address, family: 4 } satisfies LookupAddress]);
    };
    const verdict = await validateKubeconfig(kubeconfigYaml(`https://rebind.example:${port}`), {
      allowPrivateAddresses: false,
      lookupAll: rebinding,
    });
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(verdict).toMatchObject({
      ok: false,
      details: [{ path: 'kubeconfig.clusters[0].cluster.server', message: expect.stringMatching(/could not be reached/) }],
    });
    expect(connections).toBe(0);
  });
});
