import { JOB_ID_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_ID_LABEL, VOLUME_LABEL } from '../../domain/manifests';

/** The metadata the ownership decisions read; any object, rendered or read from the cluster. */
export interface OwnedMeta {
  labels?: Record<string, string>;
  deletionTimestamp?: unknown;
  uid?: string;
}

/**
 * What budcluster may do with an object of the name it is about to apply (docs/design.md#drivers):
 * - `absent` / `ours`: apply;
 * - `predecessor`: an object of an earlier job of ours on its way out (a stop then start): wait for it, then apply;
 * - `foreign`: refuse, saying why. Apply never adopts an object budcluster did not make for this owner.
 */
export type Ownership =
  { verdict: 'absent' } | { verdict: 'ours' } | { verdict: 'predecessor'; uid: string | undefined } | { verdict: 'foreign'; why: string };

/**
 * Decides from the rendered object's labels whose it must be: a job's object carries the job's id; a claim
 * (`bud.ai/volume`) belongs to the volumes table and is reattached by any job of its tenant. Pure.
 */
export function objectOwnership(rendered: OwnedMeta, found: OwnedMeta | undefined): Ownership {
  if (!found) return { verdict: 'absent' };
  const want = rendered.labels ?? {};
  const have = found.labels ?? {};
  if (have[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return foreign(`it lacks the label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`);
  // Another tenant's object is not described further: its job ids are not this tenant's business.
  if (have[TENANT_ID_LABEL] !== want[TENANT_ID_LABEL]) return foreign('it belongs to another tenant');
  if (want[VOLUME_LABEL] !== undefined) {
    return have[VOLUME_LABEL] === undefined ? foreign('it is not a volume claim budcluster keeps') : { verdict: 'ours' };
  }
  const jobId = have[JOB_ID_LABEL];
  if (jobId === want[JOB_ID_LABEL]) return { verdict: 'ours' };
  if (found.deletionTimestamp) return { verdict: 'predecessor', uid: found.uid };
  return foreign(jobId ? `it belongs to job ${jobId}` : `it carries no ${JOB_ID_LABEL} label`);
}

/** What a Namespace on the cluster means for a tenant that wants it (docs/design.md#namespaces). Pure. */
export type NamespaceClaim = 'absent' | 'ours' | 'unmanaged' | 'other-tenant';

export function namespaceClaim(found: OwnedMeta | undefined, tenantLabel: string, recorded: boolean): NamespaceClaim {
  if (!found) return 'absent';
  const labels = found.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return 'unmanaged';
  const owner = labels[TENANT_ID_LABEL];
  // A namespace an earlier budcluster made carries no tenant label: only a cluster_namespaces row says whose it is.
  if (owner === undefined) return recorded ? 'ours' : 'unmanaged';
  return owner === tenantLabel ? 'ours' : 'other-tenant';
}

function foreign(why: string): Ownership {
  return { verdict: 'foreign', why };
}
