/**
 * Template versions compared as semver where both parse (`1.10.0` > `1.9.0`, a pre-release below its release),
 * else as plain text: the newer of two versions, or 0 when equal.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return a === b ? 0 : a < b ? -1 : 1;
  for (let i = 0; i < 3; i++) if (pa.core[i] !== pb.core[i]) return pa.core[i] < pb.core[i] ? -1 : 1;
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === null) return 1;
  if (pb.pre === null) return -1;
  return comparePre(pa.pre, pb.pre);
}

/** `candidate` when it is newer than `current`, else null (docs/design.md#deployment-update). */
export function upgradeAvailable(current: string, candidate: { version: string; isActive: boolean } | null): string | null {
  return candidate?.isActive && compareVersions(candidate.version, current) > 0 ? candidate.version : null;
}

function parse(version: string): { core: [number, number, number]; pre: string | null } | null {
  const match = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  return match ? { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] ?? null } : null;
}

function comparePre(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    if (as[i] === undefined) return -1;
    if (bs[i] === undefined) return 1;
    if (as[i] === bs[i]) continue;
    const [na, nb] = [/^\d+$/.test(as[i]) ? Number(as[i]) : NaN, /^\d+$/.test(bs[i]) ? Number(bs[i]) : NaN];
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na < nb ? -1 : 1;
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return as[i] < bs[i] ? -1 : 1;
  }
  return 0;
}
