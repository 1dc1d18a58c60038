import type { Page } from '@bud/contracts';
import type { ClusterApi } from './api/cluster-api';
import type { UsecasesApi } from './api/usecases-api';
import { CommandFailed } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 100;

function looksLikeId(value: string): boolean {
  return UUID.test(value);
}

/** A cluster id as given, or the id of the one cluster with that name. */
export async function resolveClusterId(api: ClusterApi, nameOrId: string): Promise<string> {
  if (looksLikeId(nameOrId)) return nameOrId;
  const clusters = await everyItem((page) => api.listClusters({ page, page_size: PAGE_SIZE }));
  const named = clusters.filter((c) => c.name === nameOrId);
  if (named.length === 1) return named[0].id;
  if (named.length > 1)
    throw new CommandFailed(`${named.length} clusters are named '${nameOrId}' (${named.map((c) => c.id).join(', ')}); pass an id`);
  const known = clusters.map((c) => c.name).join(', ') || 'none';
  throw new CommandFailed(`no cluster named '${nameOrId}'; the clusters you can use: ${known}`);
}

/** A deployment id as given, or the id of the deployment with that name (names are unique per tenant). */
export async function resolveDeploymentId(api: UsecasesApi, idOrName: string): Promise<string> {
  if (looksLikeId(idOrName)) return idOrName;
  for (let page = 1; ; page++) {
    const answer = await api.listDeployments({ page, page_size: PAGE_SIZE });
    const found = answer.items.find((d) => d.name === idOrName);
    if (found) return found.id;
    if (isLastPage(answer)) throw new CommandFailed(`no deployment named '${idOrName}'`);
  }
}

async function everyItem<T>(fetchPage: (page: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    items.push(...answer.items);
    if (isLastPage(answer)) return items;
  }
}

function isLastPage(answer: Page<unknown>): boolean {
  return answer.items.length === 0 || answer.page * answer.page_size >= answer.total;
}
