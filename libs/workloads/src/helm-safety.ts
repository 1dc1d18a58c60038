import type { HelmSpec } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';

/** Brief §7.4 / §7.7: helm values deeper than this are refused before any rule is evaluated. */
export const MAX_VALUES_DEPTH = 64;
// A hostile document could otherwise make the 422 body itself enormous.
const MAX_DETAILS = 100;
// Shared references (a YAML alias that slipped through) can make a small document an exponential walk.
export const MAX_VALUES_NODES = 200_000;

const LOCAL_CHART = /^charts\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Why a host must not be contacted, or null when it may. Accepts `[v6]`, a trailing dot and any case. */
export function forbiddenHostReason(rawHost: string): string | null {
  let host = rawHost.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('[') && host.endsWith(']')) return forbiddenIpv6Reason(host.slice(1, -1)) ?? null;
  if (host === '') return 'has no host';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'is a loopback host';
  if (METADATA_HOSTS.has(host)) return 'is a cloud metadata host (link-local)';
  if (host.includes(':')) return forbiddenIpv6Reason(host) ?? null;
  const ipv4 = parseIpv4(host);
  if (ipv4 !== null) return forbiddenIpv4Reason(ipv4);
  if (!HOSTNAME.test(host)) return 'is not a valid host name';
  return null;
}

/**
 * inet_aton-style parsing (`127.1`, `0x7f000001`, `017700000001` all mean 127.0.0.1) because that is how
 * resolvers and some registries read them; a strict dotted-quad check would let those spellings through.
 */
function parseIpv4(host: string): number | null {
  const parts = host.split('.');
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
}

function forbiddenIpv4Reason(address: number): string | null {
  const first = Math.floor(address / 2 ** 24);
  const second = Math.floor(address / 2 ** 16) % 256;
  if (first === 127) return 'is a loopback address';
  if (first === 169 && second === 254) return 'is a link-local address (cloud metadata range)';
  if (first === 0) return 'is an unspecified address';
  return null;
}

function parseIpv6(raw: string): number[] | null {
  let address = raw.split('%')[0] ?? '';
  const embedded: number[] = [];
  const lastColon = address.lastIndexOf(':');
  const dotted = address.slice(lastColon + 1);
  if (dotted.includes('.')) {
    const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(dotted)?.slice(1).map(Number);
    if (!octets || octets.some((o) => o > 255)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    embedded.push(a * 256 + b, c * 256 + d);
    address = address.slice(0, lastColon + 1);
    if (!address.endsWith('::')) address = address.slice(0, -1);
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const width = 8 - embedded.length;
  if (halves.length === 1) return head.length === width ? [...head, ...embedded] : null;
  if (head.length + rest.length >= width) return null;
  return [...head, ...new Array<number>(width - head.length - rest.length).fill(0), ...rest, ...embedded];
}

function forbiddenIpv6Reason(raw: string): string | undefined {
  const groups = parseIpv6(raw);
  if (groups === null) return 'is not a valid IPv6 address';
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return 'is an unspecified address';
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return 'is a loopback address';
  if ((g0 & 0xffc0) === 0xfe80) return 'is a link-local address';
  // AWS's IPv6 instance metadata endpoint lives in unique-local space, so it needs naming explicitly.
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254)
    return 'is a cloud metadata address';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms reach the IPv4 host.
  if (upperZero && (g5 === 0xffff || g5 === 0)) return forbiddenIpv4Reason(g6 * 65536 + g7) ?? undefined;
  return undefined;
}

/** Validates a chart reference: `oci://host/path`, `https://host/path` or `charts/<name>`. */
export function checkChartRef(chartRef: string, path: string): ErrorDetail[] {
  if (LOCAL_CHART.test(chartRef)) return [];
  if (/^\s*file:/i.test(chartRef)) return [{ path, message: 'must not be a file: reference' }];
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(chartRef)?.[1]?.toLowerCase();
  if (scheme !== 'oci' && scheme !== 'https') {
    return [{ path, message: 'must be oci://host/path, https://host/path or charts/<name>' }];
  }
  let url: URL;
  try {
    url = new URL(chartRef);
  } catch {
    return [{ path, message: 'is not a valid URL' }];
  }
  if (url.username || url.password) return [{ path, message: 'must not embed credentials' }];
  if (url.search || url.hash) return [{ path, message: 'must not carry a query or fragment' }];
  if (url.pathname.replace(/\/+$/, '') === '') return [{ path, message: `must name a chart path after the host (${scheme}://host/path)` }];
  const reason = forbiddenHostReason(url.hostname);
  return reason ? [{ path, message: `host '${url.hostname}' ${reason}` }] : [];
}

/** Host of a container image reference; Docker Hub when the first component is not a registry. */
export function imageRegistryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && !first.startsWith('[') && first.toLowerCase() !== 'localhost') return 'docker.io';
  if (first.startsWith('[')) return first.slice(0, first.indexOf(']') + 1);
  return first.split(':')[0] ?? first;
}

/** Applies the chart host rules of §7.4 to a container image's registry. */
export function checkImageHost(image: string, path: string): ErrorDetail[] {
  if (/^\s*file:/i.test(image)) return [{ path, message: 'must not be a file: reference' }];
  if (image.includes('://')) return [{ path, message: 'must be an image reference, not a URL' }];
  const host = imageRegistryHost(image);
  const reason = forbiddenHostReason(host);
  return reason ? [{ path, message: `registry '${host}' ${reason}` }] : [];
}

type Segment = string | number;

function isEnabled(value: unknown): boolean {
  // Only an explicit off is harmless: charts test these with `{{ if }}`, so "yes", 1 or {} all switch them on.
  return !(
    value === false ||
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim().toLowerCase() === 'false')
  );
}

function isRootUser(value: unknown): boolean {
  return value === 0 || (typeof value === 'string' && value.trim() === '0');
}

function hasAdditions(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  return !(typeof value === 'string' && value.trim() === '');
}

/** The rule a key/value breaks, if any (keys compared case-insensitively). */
function violation(key: string, value: unknown): { message: string; segments: Segment[] } | null {
  switch (key.toLowerCase()) {
    case 'hostnetwork':
    case 'hostpid':
    case 'hostipc':
      return isEnabled(value) ? { message: 'shares a host namespace, which is not allowed', segments: [] } : null;
    case 'privileged':
      return isEnabled(value) ? { message: 'requests a privileged container, which is not allowed', segments: [] } : null;
    case 'allowprivilegeescalation':
      return isEnabled(value) ? { message: 'allows privilege escalation, which is not allowed', segments: [] } : null;
    case 'hostpath':
      return value === null || value === undefined ? null : { message: 'mounts a host path, which is not allowed', segments: [] };
    case 'hostport':
      return value === null || value === undefined ? null : { message: 'binds a host port, which is not allowed', segments: [] };
    case 'runasuser':
      return isRootUser(value) ? { message: 'runs as root (runAsUser: 0), which is not allowed', segments: [] } : null;
    case 'capabilities': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
      const addKey = Object.keys(value).find((k) => k.toLowerCase() === 'add');
      if (addKey === undefined || !hasAdditions((value as Record<string, unknown>)[addKey])) return null;
      return { message: 'adds Linux capabilities, which is not allowed', segments: [addKey] };
    }
    default:
      return null;
  }
}

/** Walks helm values for §7.4 violations; iterative so depth never touches the JS stack. */
export function checkHelmValues(values: unknown, prefix: Segment[] = ['values'], rootPath = 'spec'): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const stack: Array<{ node: unknown; path: Segment[]; depth: number }> = [{ node: values, path: prefix, depth: 0 }];
  let visited = 0;
  while (stack.length > 0 && details.length < MAX_DETAILS) {
    const { node, path, depth } = stack.pop() as { node: unknown; path: Segment[]; depth: number };
    if (node === null || typeof node !== 'object') continue;
    if (++visited > MAX_VALUES_NODES) {
      details.push({ path: formatPath(prefix, rootPath), message: `has more than ${MAX_VALUES_NODES} nested objects to check` });
      break;
    }
    if (depth >= MAX_VALUES_DEPTH) {
      details.push({ path: formatPath(path, rootPath), message: `is nested deeper than ${MAX_VALUES_DEPTH} levels` });
      continue;
    }
    const children: Array<[Segment, unknown]> = Array.isArray(node) ? node.map((v, i): [Segment, unknown] => [i, v]) : Object.entries(node);
    // Pushed in reverse so details come out in document order.
    for (let i = children.length - 1; i >= 0; i--) {
      const [segment, child] = children[i];
      stack.push({ node: child, path: [...path, segment], depth: depth + 1 });
    }
    if (Array.isArray(node)) continue;
    for (const [key, child] of children) {
      const broken = violation(String(key), child);
      if (broken) details.push({ path: formatPath([...path, key, ...broken.segments], rootPath), message: broken.message });
    }
  }
  return details.slice(0, MAX_DETAILS);
}

/** Brief §7.4: every reason a helm spec may not run, each naming its dotted path under `spec`. */
export function checkHelmSpec(spec: HelmSpec): ErrorDetail[] {
  return [...checkChartRef(spec.chart_ref, 'spec.chart_ref'), ...checkHelmValues(spec.values)].slice(0, MAX_DETAILS);
}
