import type { ErrorDetail } from '@bud/errors';
import { jobFiles } from './files';
import type { ClaimOwner } from './volumes';
import { jobClaims } from './volumes';

/**
 * A file at or above one of the job's volume mounts would hide the volume (or fail to mount): refused when the job is
 * created or changed, naming the file's path (docs/design.md#files).
 */
export function fileMountClashes(job: ClaimOwner): ErrorDetail[] {
  const mounts = jobClaims(job).map((c) => c.mountPath);
  return jobFiles(job).flatMap((file, k) => {
    const clash = mounts.find((m) => m === file.path || m.startsWith(`${file.path}/`));
    return clash ? [{ path: `spec.files[${k}].path`, message: `would hide the volume mounted at ${clash}` }] : [];
  });
}
