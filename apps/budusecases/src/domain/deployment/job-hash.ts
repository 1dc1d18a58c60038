import { createHash } from 'node:crypto';
import type { JobResources, JobSpec } from '@bud/contracts';
import { canonicalJson } from '../document-checks';

/**
 * What a component's job should be, as a digest: the reconciler patches the job in place when it differs from the one
 * last sent (docs/design.md#in-place-update). Canonical, so key order never reads as a change.
 */
export function jobHash(job: { spec: JobSpec; resources: JobResources }): string {
  return createHash('sha256')
    .update(canonicalJson({ spec: job.spec, resources: job.resources }))
    .digest('hex');
}
