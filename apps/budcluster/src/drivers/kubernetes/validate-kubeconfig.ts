import { CoreV1Api } from '@kubernetes/client-node';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import { Logger } from '@bud/logging';
import { checkResolvedServers, guardedLookup, type LookupAll } from './cluster-address';
import { gpuInventoryFromNodes } from './gpu-inventory';
import { InstrumentedKubeConfig } from './instrumented-kube-config';
import { httpStatus } from './kube-client';
import type { CurrentEntries } from './kubeconfig-policy';
import { kubeconfigRefusal, readKubeconfig } from './read-kubeconfig';

export type KubeconfigVerdict = { ok: true; gpuInventory: Record<string, number> } | { ok: false; message: string; details: ErrorDetail[] };

export interface ValidateKubeconfigOptions {
  /** CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: allow API servers on loopback, link-local, metadata and unspecified addresses. */
  allowPrivateAddresses: boolean;
  /** Per request and for resolving the servers' names; default 5 s. */
  timeoutMs?: number;
  /** How names are resolved, for the check and the connection alike; default node:dns. */
  lookupAll?: LookupAll;
}

const PAGE_SIZE = 500;
const logger = new Logger('validate-kubeconfig');

/**
 * Checks a kubeconfig before a cluster is registered: it holds inline credentials only, names one context,
 * its servers are not inside the platform, and the current one answers a node list (read for GPU inventory).
 * What the cluster answered is logged, never returned: the caller learns only the class of failure.
 */
export async function validateKubeconfig(kubeconfig: string, options: ValidateKubeconfigOptions): Promise<KubeconfigVerdict> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const read = readKubeconfig(kubeconfig, { allowPrivateAddresses: options.allowPrivateAddresses });
  if (!read.ok) return refuse(read.details);
  if (!options.allowPrivateAddresses) {
    const resolved = await checkResolvedServers(read.kubeconfig, timeoutMs, options.lookupAll);
    if (resolved.length > 0) return refuse(resolved);
  }

  const config = new InstrumentedKubeConfig(timeoutMs, options.allowPrivateAddresses ? undefined : guardedLookup(options.lookupAll));
  config.loadFromString(JSON.stringify(read.kubeconfig));
  const api = config.makeApiClient(CoreV1Api);
  const nodes: unknown[] = [];
  try {
    let continueToken: string | undefined;
    do {
      const page = await api.listNode({ limit: PAGE_SIZE, _continue: continueToken });
      nodes.push(...page.items);
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
  } catch (error) {
    logger.warn('cluster API server did not list nodes', { server: read.current.server.origin, error: firstLine(error) });
    return refuse([unreachableDetail(read.current, error)]);
  }
  return { ok: true, gpuInventory: gpuInventoryFromNodes(nodes) };
}

function unreachableDetail(current: CurrentEntries, error: unknown): ErrorDetail {
  const serverPath = formatPath(['clusters', current.clusterIndex, 'cluster', 'server'], 'kubeconfig');
  const status = httpStatus(error);
  if (status === 401 || status === 403) {
    return {
      path: formatPath(['users', current.userIndex, 'user'], 'kubeconfig'),
      message: `the cluster's API server refused the credentials (HTTP ${status}); they must be allowed to list nodes`,
    };
  }
  if (status !== undefined) return { path: serverPath, message: `the cluster's API server answered the node list with HTTP ${status}` };
  return {
    path: serverPath,
    message: "the cluster's API server could not be reached, or did not answer as a Kubernetes API server with a trusted certificate",
  };
}

function refuse(details: ErrorDetail[]): KubeconfigVerdict {
  return { ok: false, message: kubeconfigRefusal(details), details };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 300);
}
