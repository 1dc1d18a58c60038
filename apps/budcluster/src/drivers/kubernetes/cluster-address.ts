import { lookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import { forbiddenHostReason } from '@bud/workloads';
import type { InlineKubeconfig } from './kubeconfig-policy';

/** node:dns `lookup` with `all: true`: every address a name resolves to, as the connection would see them. */
export type LookupAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemLookupAll: LookupAll = (hostname, options, callback) => lookup(hostname, options, callback);

/** The error a guarded connection fails with; its message names no address. */
export const FORBIDDEN_ADDRESS = 'EBUD_FORBIDDEN_ADDRESS';

/**
 * A `lookup` for sockets that refuses a name when any address it resolves to is loopback, link-local,
 * metadata or unspecified. Checking inside the connection's own lookup means the address checked is the
 * address connected to, so a name that resolves differently on a second query (DNS rebinding) gains nothing.
 */
export function guardedLookup(lookupAll: LookupAll = systemLookupAll): LookupFunction {
  return (hostname, options, callback) => {
    lookupAll(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const [first] = addresses;
      if (!first || addresses.some((a) => forbiddenHostReason(a.address) !== null)) {
        return callback(
          Object.assign(new Error(`${hostname} resolves to an address cluster API servers may not have`), { code: FORBIDDEN_ADDRESS }),
          '',
        );
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * Resolves the host name of every cluster in the file and refuses the ones that resolve to a forbidden
 * address, naming the server field. Names that do not resolve are left to the connection to fail.
 */
export async function checkResolvedServers(
  kubeconfig: InlineKubeconfig,
  timeoutMs: number,
  lookupAll: LookupAll = systemLookupAll,
): Promise<ErrorDetail[]> {
  const checks = kubeconfig.clusters.map(async ({ cluster }, i): Promise<ErrorDetail | null> => {
    const host = new URL(String(cluster.server)).hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) return null;
    const addresses = await resolveWithin(host, timeoutMs, lookupAll);
    const reason = addresses.map((a) => forbiddenHostReason(a.address)).find((r) => r !== null);
    if (!reason) return null;
    return {
      path: formatPath(['clusters', i, 'cluster', 'server'], 'kubeconfig'),
      message: `host '${host}' resolves to an address that ${reason}; cluster API servers there are refused unless CLUSTER_API_ALLOW_PRIVATE_ADDRESSES is set`,
    };
  });
  return (await Promise.all(checks)).filter((detail): detail is ErrorDetail => detail !== null);
}

function resolveWithin(host: string, timeoutMs: number, lookupAll: LookupAll): Promise<LookupAddress[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    lookupAll(host, { all: true, verbatim: true }, (error, addresses) => {
      clearTimeout(timer);
      resolve(error ? [] : addresses);
    });
  });
}
