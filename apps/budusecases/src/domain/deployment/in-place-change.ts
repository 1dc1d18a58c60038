import type { CreateJobRequest } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';

/**
 * docs/design.md#in-place-update, as budcluster's Job layer judges a PATCH: what a running job cannot change in place
 * (its kind, a helm release's name, an existing volume's size or mount path, `resources.storage`). Checked when the
 * change is asked for, so an update is refused with a 422 naming the component instead of being accepted and then
 * refused job by job. Paths are under `components.<id>.`.
 */
export function inPlaceChangeIssues(
  componentId: string,
  before: Pick<CreateJobRequest, 'spec' | 'resources'>,
  after: Pick<CreateJobRequest, 'spec' | 'resources'>,
): ErrorDetail[] {
  const at = (path: string) => `components.${componentId}.${path}`;
  if (after.spec.kind !== before.spec.kind)
    return [{ path: at('spec.kind'), message: `cannot change in place from '${before.spec.kind}' to '${after.spec.kind}'` }];
  const issues: ErrorDetail[] = [];
  if (after.spec.kind === 'helm' && before.spec.kind === 'helm' && (after.spec.release_name ?? null) !== (before.spec.release_name ?? null))
    issues.push({ path: at('spec.release_name'), message: 'cannot change in place (it names the release)' });
  if (after.spec.kind === 'container' && before.spec.kind === 'container') {
    const old = new Map((before.spec.volumes ?? []).map((volume) => [volume.name, volume]));
    (after.spec.volumes ?? []).forEach((volume, i) => {
      const was = old.get(volume.name);
      if (was && was.size !== volume.size)
        issues.push({ path: at(`spec.volumes[${i}].size`), message: `cannot change in place (the claim holds ${was.size})` });
      if (was && was.mount_path !== volume.mount_path)
        issues.push({ path: at(`spec.volumes[${i}].mount_path`), message: `cannot change in place (mounted at ${was.mount_path})` });
    });
  }
  if ((after.resources.storage ?? null) !== (before.resources.storage ?? null))
    issues.push({
      path: at('resources.storage'),
      message: `cannot change in place (the claim holds ${before.resources.storage ?? 'nothing'})`,
    });
  return issues;
}
