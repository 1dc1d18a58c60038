/**
 * Which hosts a platform service must never contact on a user's behalf: loopback, link-local (the cloud
 * metadata range), cloud metadata names and addresses, the unspecified address, and the IPv4-mapped and
 * IPv4-compatible IPv6 spellings of those. Shared by the helm/image rules and budcluster's cluster API
 * address checks, so both refuse the same set.
 */
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
