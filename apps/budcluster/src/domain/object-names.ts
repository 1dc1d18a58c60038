import type { JobSpec } from '@bud/contracts';
import { truncateDnsLabel } from './manifests/labels';

/** A Service name is an RFC 1035 label (≤ 63 characters, starting with a letter); Helm caps release names at 53. */
const MAX_OBJECT_NAME = 63;
const MAX_RELEASE_NAME = 53;
const ID_DIGITS = 8;

/**
 * The base name of a job's Kubernetes objects (docs/design.md#object-names): its name and the first 8 hex digits of its
 * id, so two jobs of one name never share an object. A helm job keeps a release_name it gives: the chart names its own
 * objects after it, so two active jobs may not share one.
 */
export function jobResourceName(id: string, name: string, spec: JobSpec): string {
  if (spec.kind === 'helm' && spec.release_name) return spec.release_name;
  const suffix = `-${id.replace(/-/g, '').slice(0, ID_DIGITS)}`;
  const max = (spec.kind === 'helm' ? MAX_RELEASE_NAME : MAX_OBJECT_NAME) - suffix.length;
  const base = /^[a-z]/.test(name) ? name : `j-${name}`;
  return `${truncateDnsLabel(base, max)}${suffix}`;
}
