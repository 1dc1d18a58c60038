import { CoreV1Api, loadYaml } from '@kubernetes/client-node';
import { gpuInventoryFromNodes } from './gpu-inventory';
import { InstrumentedKubeConfig } from './instrumented-kube-config';
import { httpStatus } from './kube-client';
import { isRecord } from './managed-object';

export type KubeconfigVerdict = { ok: true; gpuInventory: Record<string, number> } | { ok: false; reason: string };

export interface ValidateKubeconfigOptions {
  /** Per request; default 5 s. */
  timeoutMs?: number;
}

const PAGE_SIZE = 500;

/** Checks a kubeconfig before a cluster is registered: it parses, names one context, reaches its API server; reads GPU inventory. */
export async function validateKubeconfig(kubeconfig: string, options: ValidateKubeconfigOptions = {}): Promise<KubeconfigVerdict> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const config = new InstrumentedKubeConfig(timeoutMs);
  if (kubeconfig.trim() === '') return refuse('kubeconfig does not parse: it is empty');
  try {
    // The client reads any YAML scalar as an (empty) config; only a mapping can be a kubeconfig.
    if (!isRecord(loadYaml<unknown>(kubeconfig)))
      return refuse('kubeconfig does not parse: expected a YAML mapping with clusters, users and contexts');
    config.loadFromString(kubeconfig);
  } catch (err) {
    return refuse(`kubeconfig does not parse: ${firstLine(err)}`);
  }
  const contexts = config.getContexts().length;
  if (contexts !== 1) return refuse(`kubeconfig has ${contexts} contexts; exactly one is required`);
  const cluster = config.getCurrentCluster();
  if (!cluster) return refuse('kubeconfig has no current context naming a known cluster');
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return refuse(`kubeconfig's cluster server '${cluster.server}' is not a URL`);
  }

  const api = config.makeApiClient(CoreV1Api);
  const nodes: unknown[] = [];
  try {
    let continueToken: string | undefined;
    do {
      const page = await api.listNode({ limit: PAGE_SIZE, _continue: continueToken });
      nodes.push(...page.items);
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
  } catch (err) {
    return refuse(unreachableReason(server.origin, err, timeoutMs));
  }
  return { ok: true, gpuInventory: gpuInventoryFromNodes(nodes) };
}

function unreachableReason(server: string, err: unknown, timeoutMs: number): string {
  const status = httpStatus(err);
  if (status === 401 || status === 403)
    return `cluster at ${server} refused the kubeconfig's credentials (HTTP ${status}); listing nodes must be allowed`;
  if (status !== undefined) return `cluster at ${server} answered HTTP ${status} to a node list`;
  if (isRecord(err) && (err.name === 'AbortError' || err.type === 'aborted'))
    return `cluster at ${server} is unreachable: no answer within ${timeoutMs / 1000} s`;
  // node-fetch: "request to https://h/api/v1/nodes failed, reason: connect ECONNREFUSED 127.0.0.1:6443"
  const message = firstLine(err);
  const reason = /reason: (.+)$/.exec(message)?.[1] ?? message;
  return `cluster at ${server} is unreachable: ${reason}`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).slice(0, 300);
}

function refuse(reason: string): KubeconfigVerdict {
  return { ok: false, reason };
}
