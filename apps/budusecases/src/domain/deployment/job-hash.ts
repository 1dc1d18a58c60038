import { createHash, createHmac } from 'node:crypto';
import type { JobResources, JobSpec } from '@bud/contracts';
import { canonicalJson } from '../document-checks';

/**
 * What a component's job should be, as a digest: the reconciler patches the job in place when it differs from the one
 * last sent (docs/design.md#in-place-update). Canonical, so key order never reads as a change. The job holds secret env
 * values in the clear, so the digest is keyed (HMAC) with the deployment's own key: a stored digest tells nothing about
 * a secret to whoever reads the database. Deployments made before the key existed have none (plain sha256).
 */
export function jobHash(job: { spec: JobSpec; resources: JobResources }, key?: Buffer): string {
  const canonical = canonicalJson({ spec: job.spec, resources: job.resources });
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(canonical).digest('hex');
}
