import type { LookupAddress } from 'node:dns';
import { checkKubeconfig, type InlineKubeconfig } from './kubeconfig-policy';
import { checkResolvedServers, FORBIDDEN_ADDRESS, guardedLookup, type LookupAll } from './cluster-address';
import { kubeconfigDocument } from '../../../test/support/kubernetes-fixtures';

// A resolver answering from a table, so each case names exactly what DNS says.
const resolverOf =
  (table: Record<string, string[]>): LookupAll =>
  (hostname, _options, callback) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };

const checked = (server: string, moreServers: string[] = []): InlineKubeconfig => {
  const result = checkKubeconfig(
    kubeconfigDocument({ server, moreClusters: moreServers.map((s, i) => ({ name: `m${i}`, cluster: { server: s } })) }),
    { allowPrivateAddresses: false },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.kubeconfig;
};

const DNS = resolverOf({
  'api.public.example': ['203.0.113.10'],
  'api.private.example': ['10.1.2.3', 'fd12::3'],
  'rebind.example': ['203.0.113.10', '127.0.0.1'],
  'meta.example': ['169.254.169.254'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'v6-loop.example': ['::1'],
  'any.example': ['0.0.0.0'],
});

describe('checkResolvedServers', () => {
  it.each<[string, string]>([
    ['a public address', 'https://api.public.example:6443'],
    ['private (RFC 1918 and unique-local) addresses', 'https://api.private.example'],
    ['an IP literal (checked by the policy, not resolved)', 'https://203.0.113.77'],
    ['a name that does not resolve (left to the connection to fail)', 'https://nowhere.example'],
  ])('accepts %s', async (_case, server) => {
    expect(await checkResolvedServers(checked(server), 1000, DNS)).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['one of several addresses is loopback', 'https://rebind.example', /loopback/],
    ['the address is the metadata server', 'https://meta.example', /link-local/],
    ['the address is IPv4-mapped loopback', 'https://mapped.example', /loopback/],
    ['the address is IPv6 loopback', 'https://v6-loop.example', /loopback/],
    ['the address is unspecified', 'https://any.example', /unspecified/],
  ])('refuses a name when %s, naming the server', async (_case, server, reason) => {
    expect(await checkResolvedServers(checked(server), 1000, DNS)).toEqual([
      { path: 'kubeconfig.clusters[0].cluster.server', message: expect.stringMatching(reason) },
    ]);
  });

  it('checks every cluster of the file, not only the current one', async () => {
    const details = await checkResolvedServers(
      checked('https://api.public.example', ['https://api.private.example', 'https://meta.example']),
      1000,
      DNS,
    );
    expect(details.map((d) => d.path)).toEqual(['kubeconfig.clusters[2].cluster.server']);
  });

  it('resolves localhost with the system resolver and refuses it', async () => {
    const details = await checkResolvedServers(
      { ...checked('https://api.public.example'), clusters: [{ name: 'c', cluster: { server: 'https://localhost:6443' } }] },
      5000,
    );
    expect(details).toEqual([{ path: 'kubeconfig.clusters[0].cluster.server', message: expect.stringMatching(/loopback/) }]);
  });
});

describe('guardedLookup', () => {
  const lookupWith = (hostname: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(DNS)(hostname, { all }, (error, address, family) => resolve({ error, address, family })),
    );

  it('answers the first address of an allowed name, as a single lookup', async () => {
    expect(await lookupWith('api.private.example', false)).toEqual({ error: null, address: '10.1.2.3', family: 4 });
  });

  it('answers every address of an allowed name when asked for all', async () => {
    expect((await lookupWith('api.private.example', true)).address).toEqual([
      { address: '10.1.2.3', family: 4 },
      { address: 'fd12::3', family: 6 },
    ]);
  });

  it.each(['rebind.example', 'meta.example', 'mapped.example'])(
    'fails the connection to %s without naming the address',
    async (hostname) => {
      const { error } = await lookupWith(hostname, false);
      expect(error?.code).toBe(FORBIDDEN_ADDRESS);
      expect(error?.message).not.toMatch(/127\.0\.0\.1|169\.254/);
    },
  );

  it('passes resolver errors through', async () => {
    expect((await lookupWith('nowhere.example', false)).error?.code).toBe('ENOTFOUND');
  });
});
