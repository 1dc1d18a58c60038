import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import { forbiddenHostReason } from '@bud/workloads';

/**
 * What budcluster accepts in a kubeconfig: inline credentials only. Anything the Kubernetes client would
 * turn into a command (exec, auth-provider), a file read (tokenFile, *-certificate, *-key, certificate-authority)
 * or a detour (proxy-url) is refused, and so is every field not on these lists, in every entry of the file.
 */
const TOP_LEVEL_FIELDS = new Set(['apiVersion', 'kind', 'clusters', 'users', 'contexts', 'current-context', 'preferences']);
const CLUSTER_FIELDS: Record<string, 'string' | 'boolean'> = {
  server: 'string',
  'certificate-authority-data': 'string',
  'insecure-skip-tls-verify': 'boolean',
  'tls-server-name': 'string',
};
const USER_FIELDS: Record<string, 'string'> = { token: 'string', 'client-certificate-data': 'string', 'client-key-data': 'string' };
const CONTEXT_FIELDS: Record<string, 'string'> = { cluster: 'string', user: 'string', namespace: 'string' };

const RUNS_A_COMMAND =
  'runs a command on the budcluster host; only inline credentials are accepted (token, or client-certificate-data with client-key-data)';
const NAMES_A_FILE = 'names a file on the budcluster host; give its content inline instead';
const REFUSED_FIELDS: Record<string, string> = {
  exec: RUNS_A_COMMAND,
  'auth-provider': RUNS_A_COMMAND,
  tokenFile: `${NAMES_A_FILE} (token)`,
  'token-file': `${NAMES_A_FILE} (token)`,
  'client-certificate': `${NAMES_A_FILE} (client-certificate-data)`,
  'client-key': `${NAMES_A_FILE} (client-key-data)`,
  'certificate-authority': `${NAMES_A_FILE} (certificate-authority-data)`,
  'proxy-url': 'sends the traffic through a proxy, which is not supported',
  username: 'is basic authentication, which is not accepted (Kubernetes removed it in v1.19); use a token or a client certificate',
  password: 'is basic authentication, which is not accepted (Kubernetes removed it in v1.19); use a token or a client certificate',
  as: 'impersonates another user, which is not supported',
  'as-uid': 'impersonates another user, which is not supported',
  'as-groups': 'impersonates another user, which is not supported',
  'as-user-extra': 'impersonates another user, which is not supported',
};
const NOT_ACCEPTED = 'is not an accepted kubeconfig field';

/** More entries than any real kubeconfig for one cluster has; bounds the checks and the DNS lookups. */
export const MAX_KUBECONFIG_ENTRIES = 16;
const MAX_DETAILS = 50;

type Segment = string | number;
type Fields = Record<string, string | boolean>;

/** The checked kubeconfig, holding only accepted fields; what the Kubernetes client is given. */
export interface InlineKubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Array<{ name: string; cluster: Fields }>;
  users: Array<{ name: string; user: Fields }>;
  contexts: Array<{ name: string; context: Fields }>;
  'current-context': string;
}

/** Where the current context's cluster and user sit in the file, for error paths. */
export interface CurrentEntries {
  clusterIndex: number;
  userIndex: number;
  server: URL;
}

export type KubeconfigPolicyResult =
  { ok: true; kubeconfig: InlineKubeconfig; current: CurrentEntries } | { ok: false; details: ErrorDetail[] };

export interface KubeconfigPolicyOptions {
  /** CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: loopback, link-local, metadata and unspecified servers are allowed. */
  allowPrivateAddresses: boolean;
}

/** Checks a parsed kubeconfig document against the allow-list; `root` prefixes every detail path. */
export function checkKubeconfig(document: unknown, options: KubeconfigPolicyOptions, root = 'kubeconfig'): KubeconfigPolicyResult {
  const details: ErrorDetail[] = [];
  const fail = (path: Segment[], message: string): void => {
    details.push({ path: formatPath(path, root), message });
  };
  if (!isMapping(document)) {
    fail([], 'must be a YAML mapping with clusters, users and contexts');
    return { ok: false, details };
  }
  for (const key of Object.keys(document)) if (!TOP_LEVEL_FIELDS.has(key)) fail([key], NOT_ACCEPTED);
  if (document.apiVersion !== undefined && document.apiVersion !== 'v1') fail(['apiVersion'], "must be 'v1'");
  if (document.kind !== undefined && document.kind !== 'Config') fail(['kind'], "must be 'Config'");
  if (document.preferences !== undefined && !(isMapping(document.preferences) && Object.keys(document.preferences).length === 0)) {
    fail(['preferences'], 'must be empty');
  }
  const clusters = entries(document, 'clusters', 'cluster', CLUSTER_FIELDS, fail);
  const users = entries(document, 'users', 'user', USER_FIELDS, fail);
  const contexts = entries(document, 'contexts', 'context', CONTEXT_FIELDS, fail);
  clusters.forEach((entry, i) => checkServer(entry.cluster.server, ['clusters', i, 'cluster', 'server'], options, fail));
  users.forEach((entry, i) => {
    if (entry.user['client-certificate-data'] === undefined && entry.user['client-key-data'] === undefined) return;
    if (entry.user['client-certificate-data'] === undefined || entry.user['client-key-data'] === undefined) {
      fail(['users', i, 'user'], 'needs both client-certificate-data and client-key-data');
    }
  });
  const current = currentEntries(document['current-context'], clusters, users, contexts, fail);
  if (details.length > 0 || current === null) return { ok: false, details: details.slice(0, MAX_DETAILS) };
  return {
    ok: true,
    kubeconfig: { apiVersion: 'v1', kind: 'Config', clusters, users, contexts, 'current-context': document['current-context'] as string },
    current,
  };
}

function entries<K extends string>(
  document: Record<string, unknown>,
  list: 'clusters' | 'users' | 'contexts',
  body: K,
  allowed: Record<string, 'string' | 'boolean'>,
  fail: (path: Segment[], message: string) => void,
): Array<{ name: string } & Record<K, Fields>> {
  const value = document[list];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail([list], 'must be a list');
    return [];
  }
  if (value.length > MAX_KUBECONFIG_ENTRIES) {
    fail([list], `has ${value.length} entries; at most ${MAX_KUBECONFIG_ENTRIES} are accepted`);
    return [];
  }
  const checked: Array<{ name: string } & Record<K, Fields>> = [];
  value.forEach((entry: unknown, i) => {
    if (!isMapping(entry)) return fail([list, i], `must be a mapping with name and ${body}`);
    for (const key of Object.keys(entry)) if (key !== 'name' && key !== body) fail([list, i, key], NOT_ACCEPTED);
    if (typeof entry.name !== 'string' || entry.name === '') fail([list, i, 'name'], 'must be a non-empty string');
    const fields = entry[body];
    if (!isMapping(fields)) return fail([list, i, body], 'must be a mapping');
    const kept: Fields = {};
    for (const [key, field] of Object.entries(fields)) {
      const type = allowed[key];
      if (type === undefined) fail([list, i, body, key], REFUSED_FIELDS[key] ?? NOT_ACCEPTED);
      else if (typeof field !== type) fail([list, i, body, key], `must be a ${type}`);
      else kept[key] = field as string | boolean;
    }
    checked.push({ name: String(entry.name), [body]: kept } as { name: string } & Record<K, Fields>);
  });
  return checked;
}

function checkServer(
  server: unknown,
  path: Segment[],
  options: KubeconfigPolicyOptions,
  fail: (path: Segment[], message: string) => void,
): void {
  if (typeof server !== 'string') return fail(path, 'is required');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return fail(path, 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(path, 'must be an https:// URL');
  if (url.username || url.password) return fail(path, 'must not embed credentials');
  if (options.allowPrivateAddresses) return;
  const reason = forbiddenHostReason(url.hostname);
  if (reason)
    fail(path, `host '${url.hostname}' ${reason}; cluster API servers there are refused unless CLUSTER_API_ALLOW_PRIVATE_ADDRESSES is set`);
}

function currentEntries(
  currentContext: unknown,
  clusters: Array<{ name: string; cluster: Fields }>,
  users: Array<{ name: string; user: Fields }>,
  contexts: Array<{ name: string; context: Fields }>,
  fail: (path: Segment[], message: string) => void,
): CurrentEntries | null {
  if (contexts.length !== 1) {
    fail(['contexts'], `has ${contexts.length} contexts; exactly one is required`);
    return null;
  }
  const [context] = contexts;
  if (typeof currentContext !== 'string' || currentContext !== context?.name) {
    fail(['current-context'], `must name the only context '${context?.name ?? ''}'`);
    return null;
  }
  const clusterIndex = clusters.findIndex((c) => c.name === context.context.cluster);
  const userIndex = users.findIndex((u) => u.name === context.context.user);
  if (clusterIndex < 0) fail(['contexts', 0, 'context', 'cluster'], 'must name a cluster of the file');
  if (userIndex < 0) fail(['contexts', 0, 'context', 'user'], 'must name a user of the file');
  const server = clusters[clusterIndex]?.cluster.server;
  if (clusterIndex < 0 || userIndex < 0 || typeof server !== 'string' || !URL.canParse(server)) return null;
  return { clusterIndex, userIndex, server: new URL(server) };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
