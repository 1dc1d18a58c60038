import type { HelmSpec } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import { forbiddenHostReason } from './forbidden-host';

/** docs/design.md#helm-and-image-safety / docs/design.md#bounded-input: helm values deeper than this are refused before any rule is evaluated. */
export const MAX_VALUES_DEPTH = 64;
// A hostile document could otherwise make the 422 body itself enormous.
const MAX_DETAILS = 100;
// Shared references (a YAML alias that slipped through) can make a small document an exponential walk.
export const MAX_VALUES_NODES = 200_000;

const LOCAL_CHART = /^charts\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;
/** Validates a chart reference: `oci://host/path`, `https://host/path` or `charts/<name>`. */
// A chart reference is copied into Flux objects and into operators' helm commands: nothing a shell would interpret.
const SHELL_CHARACTERS = /[;&|`$<>(){}\\'"!*\s]/;

export function checkChartRef(chartRef: string, path: string): ErrorDetail[] {
  if (LOCAL_CHART.test(chartRef)) return [];
  if (SHELL_CHARACTERS.test(chartRef))
    return [{ path, message: 'must not contain whitespace, quotes or shell characters such as ; | & ` $ ( ) < >' }];
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

/** Applies the chart host rules of docs/design.md#helm-and-image-safety to a container image's registry. */
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

/** Walks helm values for docs/design.md#helm-and-image-safety violations; iterative so depth never touches the JS stack. */
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

/** docs/design.md#helm-and-image-safety: every reason a helm spec may not run, each naming its dotted path under `spec`. */
export function checkHelmSpec(spec: HelmSpec): ErrorDetail[] {
  return [...checkChartRef(spec.chart_ref, 'spec.chart_ref'), ...checkHelmValues(spec.values)].slice(0, MAX_DETAILS);
}
