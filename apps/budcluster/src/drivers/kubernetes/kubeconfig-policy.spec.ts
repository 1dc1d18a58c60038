import { checkKubeconfig, MAX_KUBECONFIG_ENTRIES } from './kubeconfig-policy';
import { readKubeconfig } from './read-kubeconfig';
import { kubeconfigDocument } from '../../../test/support/kubernetes-fixtures';

const byDefault = { allowPrivateAddresses: false };
const refusedAt = (document: unknown, options = byDefault) => {
  const result = checkKubeconfig(document, options);
  return result.ok ? [] : result.details;
};

describe('checkKubeconfig accepts inline credentials only', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a bearer token', kubeconfigDocument({ user: { token: 'abc' } })],
    [
      'an inline client certificate and key',
      kubeconfigDocument({ user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } }),
    ],
    [
      'an inline CA and a TLS server name',
      kubeconfigDocument({ cluster: { 'certificate-authority-data': 'Y2E=', 'tls-server-name': 'api.internal' } }),
    ],
    ['an API server on an RFC 1918 address', kubeconfigDocument({ server: 'https://10.20.0.5:6443' })],
    ['an API server by DNS name', kubeconfigDocument({ server: 'https://api.gpu.example.com' })],
    [
      'a context with a namespace and empty preferences',
      { ...kubeconfigDocument(), contexts: [{ name: 'only', context: { cluster: 'c', user: 'u', namespace: 'ml' } }], preferences: {} },
    ],
  ])('accepts %s', (_case, document) => {
    expect(refusedAt(document)).toEqual([]);
  });

  it('keeps only accepted fields and finds the current entries', () => {
    const result = checkKubeconfig(
      kubeconfigDocument({ server: 'https://203.0.113.9:6443', moreUsers: [{ name: 'v', user: { token: 't2' } }] }),
      byDefault,
    );
    expect(result).toMatchObject({ ok: true, current: { clusterIndex: 0, userIndex: 0, server: new URL('https://203.0.113.9:6443') } });
    expect(result.ok && result.kubeconfig.users).toEqual([
      { name: 'u', user: { token: 'not-a-real-token' } },
      { name: 'v', user: { token: 't2' } },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an exec plugin', kubeconfigDocument({ user: { exec: { command: 'touch' } } }), 'kubeconfig.users[0].user.exec', /runs a command/],
    [
      'an auth-provider',
      kubeconfigDocument({ user: { 'auth-provider': { name: 'gcp' } } }),
      'kubeconfig.users[0].user.auth-provider',
      /runs a command/,
    ],
    [
      'an exec plugin next to a token',
      kubeconfigDocument({ user: { token: 't', exec: { command: 'id' } } }),
      'kubeconfig.users[0].user.exec',
      /runs a command/,
    ],
    [
      'an exec plugin on a user no context names',
      kubeconfigDocument({ moreUsers: [{ name: 'x', user: { exec: { command: 'id' } } }] }),
      'kubeconfig.users[1].user.exec',
      /runs a command/,
    ],
    [
      'a token file (client-go spelling)',
      kubeconfigDocument({ user: { tokenFile: '/var/run/token' } }),
      'kubeconfig.users[0].user.tokenFile',
      /names a file/,
    ],
    [
      'a token file (kebab spelling)',
      kubeconfigDocument({ user: { 'token-file': '/var/run/token' } }),
      'kubeconfig.users[0].user.token-file',
      /names a file/,
    ],
    [
      'a client certificate file',
      kubeconfigDocument({ user: { 'client-certificate': '/c', 'client-key-data': 'a' } }),
      'kubeconfig.users[0].user.client-certificate',
      /names a file/,
    ],
    [
      'a client key file',
      kubeconfigDocument({ user: { 'client-certificate-data': 'a', 'client-key': '/k' } }),
      'kubeconfig.users[0].user.client-key',
      /names a file/,
    ],
    [
      'a CA file',
      kubeconfigDocument({ cluster: { 'certificate-authority': '/ca' } }),
      'kubeconfig.clusters[0].cluster.certificate-authority',
      /names a file/,
    ],
    [
      'a proxy URL',
      kubeconfigDocument({ cluster: { 'proxy-url': 'socks5://p:1080' } }),
      'kubeconfig.clusters[0].cluster.proxy-url',
      /proxy/,
    ],
    [
      'a CA file on a cluster no context names',
      kubeconfigDocument({ moreClusters: [{ name: 'x', cluster: { server: 'https://203.0.113.1', 'certificate-authority': '/ca' } }] }),
      'kubeconfig.clusters[1].cluster.certificate-authority',
      /names a file/,
    ],
    [
      'basic authentication',
      kubeconfigDocument({ user: { username: 'admin', password: 'p' } }),
      'kubeconfig.users[0].user.password',
      /basic authentication/,
    ],
    ['impersonation', kubeconfigDocument({ user: { token: 't', as: 'system:admin' } }), 'kubeconfig.users[0].user.as', /impersonates/],
    [
      'an unknown user field',
      kubeconfigDocument({ user: { token: 't', extensions: [] } }),
      'kubeconfig.users[0].user.extensions',
      /not an accepted/,
    ],
    [
      'an unknown cluster field',
      kubeconfigDocument({ cluster: { 'disable-compression': true } }),
      'kubeconfig.clusters[0].cluster.disable-compression',
      /not an accepted/,
    ],
    [
      'an unknown entry field',
      { ...kubeconfigDocument(), users: [{ name: 'u', user: { token: 't' }, extra: 1 }] },
      'kubeconfig.users[0].extra',
      /not an accepted/,
    ],
    ['an unknown top-level field', { ...kubeconfigDocument(), extensions: [] }, 'kubeconfig.extensions', /not an accepted/],
    ['a merge key', { ...kubeconfigDocument(), '<<': {} }, 'kubeconfig["<<"]', /not an accepted/],
    ['non-empty preferences', { ...kubeconfigDocument(), preferences: { colors: true } }, 'kubeconfig.preferences', /empty/],
    ['a token that is not a string', kubeconfigDocument({ user: { token: 42 } }), 'kubeconfig.users[0].user.token', /string/],
    ['a certificate without its key', kubeconfigDocument({ user: { 'client-certificate-data': 'a' } }), 'kubeconfig.users[0].user', /both/],
    ['a server that is not a URL', kubeconfigDocument({ server: 'not a url' }), 'kubeconfig.clusters[0].cluster.server', /not a URL/],
    [
      'a server that is not http(s)',
      kubeconfigDocument({ server: 'unix:///var/run/k8s.sock' }),
      'kubeconfig.clusters[0].cluster.server',
      /https/,
    ],
    [
      'a server with credentials',
      kubeconfigDocument({ server: 'https://u:p@203.0.113.9' }),
      'kubeconfig.clusters[0].cluster.server',
      /credentials/,
    ],
    [
      'a loopback server',
      kubeconfigDocument({ server: 'https://127.0.0.1:6443' }),
      'kubeconfig.clusters[0].cluster.server',
      /loopback.*CLUSTER_API_ALLOW_PRIVATE_ADDRESSES/,
    ],
    [
      'a short loopback spelling',
      kubeconfigDocument({ server: 'https://127.1:6443' }),
      'kubeconfig.clusters[0].cluster.server',
      /loopback/,
    ],
    [
      'the metadata server',
      kubeconfigDocument({ server: 'http://169.254.169.254' }),
      'kubeconfig.clusters[0].cluster.server',
      /link-local/,
    ],
    [
      'an IPv4-mapped loopback',
      kubeconfigDocument({ server: 'https://[::ffff:7f00:1]' }),
      'kubeconfig.clusters[0].cluster.server',
      /loopback/,
    ],
    [
      'the AWS IPv6 metadata server',
      kubeconfigDocument({ server: 'https://[fd00:ec2::254]' }),
      'kubeconfig.clusters[0].cluster.server',
      /metadata/,
    ],
    ['the unspecified address', kubeconfigDocument({ server: 'https://0.0.0.0' }), 'kubeconfig.clusters[0].cluster.server', /unspecified/],
    [
      'two contexts',
      {
        ...kubeconfigDocument(),
        contexts: [
          { name: 'a', context: { cluster: 'c', user: 'u' } },
          { name: 'b', context: { cluster: 'c', user: 'u' } },
        ],
      },
      'kubeconfig.contexts',
      /exactly one/,
    ],
    ['no context', { ...kubeconfigDocument(), contexts: [] }, 'kubeconfig.contexts', /exactly one/],
    [
      'a current context that is not the only one',
      { ...kubeconfigDocument(), 'current-context': 'other' },
      'kubeconfig.current-context',
      /only context/,
    ],
    [
      'a context naming an unknown user',
      { ...kubeconfigDocument(), contexts: [{ name: 'only', context: { cluster: 'c', user: 'nobody' } }] },
      'kubeconfig.contexts[0].context.user',
      /user of the file/,
    ],
    [
      'too many users',
      kubeconfigDocument({
        moreUsers: Array.from({ length: MAX_KUBECONFIG_ENTRIES }, (_, i) => ({ name: `u${i}`, user: { token: 't' } })),
      }),
      'kubeconfig.users',
      /at most/,
    ],
    ['a YAML scalar', 'just text' as unknown as Record<string, unknown>, 'kubeconfig', /mapping/],
  ])('refuses %s, naming the field', (_case, document, path, message) => {
    expect(refusedAt(document)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each([
    ['a loopback server', 'https://127.0.0.1:6443'],
    ['the metadata server', 'https://169.254.169.254'],
    ['localhost', 'https://localhost:6443'],
  ])('accepts %s when CLUSTER_API_ALLOW_PRIVATE_ADDRESSES is set', (_case, server) => {
    expect(refusedAt(kubeconfigDocument({ server }), { allowPrivateAddresses: true })).toEqual([]);
  });

  it('still refuses an exec plugin when private addresses are allowed', () => {
    expect(refusedAt(kubeconfigDocument({ user: { exec: { command: 'id' } } }), { allowPrivateAddresses: true })).toContainEqual({
      path: 'kubeconfig.users[0].user.exec',
      message: expect.stringMatching(/runs a command/),
    });
  });
});

describe('readKubeconfig parses hostile YAML safely before checking it', () => {
  it.each<[string, string, RegExp]>([
    ['empty text', ' \n', /it is empty/],
    ['text that is not YAML', 'clusters: [unclosed\n  - {', /does not parse/],
    ['an alias', 'users: &u [{name: u, user: {token: t}}]\nclusters: *u\n', /anchors and aliases are not allowed/],
    ['a custom tag', 'users: !!js/function "function () {}"\n', /does not parse/],
    ['a duplicate key', 'users: []\nusers: []\n', /duplicated mapping key/],
  ])('refuses %s at the kubeconfig', (_case, text, message) => {
    const result = readKubeconfig(text, byDefault);
    expect(result).toEqual({ ok: false, details: [{ path: 'kubeconfig', message: expect.stringMatching(message) }] });
  });
});
