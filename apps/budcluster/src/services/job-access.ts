import type { Principal } from '@bud/auth';
import { hasScope } from '@bud/auth';
import { sourceTypes } from '@bud/contracts';
import type { SourceType } from '@bud/contracts';
import { AppError } from '@bud/errors';

/** docs/design.md#job-permissions: a job's permissions follow its source — `usecase:*` for USECASE jobs, `job:*` otherwise. */
export function requireJobAccess(principal: Principal, sourceType: SourceType, action: 'view' | 'manage'): void {
  if (!mayAccessJob(principal, sourceType, action))
    throw new AppError('forbidden', `this action needs the scope '${scopeFor(sourceType, action)}'`);
}

export function mayAccessJob(principal: Principal, sourceType: SourceType, action: 'view' | 'manage'): boolean {
  const viaCreatorScope = action === 'view' && hasScope(principal, 'job:view');
  return hasScope(principal, scopeFor(sourceType, action)) || viaCreatorScope;
}

/** The sources whose jobs this principal may see, so a list filters in its query and counts only those. */
export function viewableSourceTypes(principal: Principal): SourceType[] {
  return sourceTypes.filter((sourceType) => mayAccessJob(principal, sourceType, 'view'));
}

function scopeFor(sourceType: SourceType, action: 'view' | 'manage') {
  return sourceType === 'usecase' ? (`usecase:${action}` as const) : (`job:${action}` as const);
}

/**
 * Use-case jobs are folded into a deployment by budusecases, so only budusecases may create them, and
 * (the job taking its principal's tenant) only in the tenant its token names: a user naming a
 * deployment could otherwise take over another tenant's component (issue 16).
 */
export function requireSourceCreator(principal: Principal, sourceType: SourceType): void {
  if (sourceType === 'usecase' && principal.service !== 'budusecases') {
    throw new AppError('forbidden', "only budusecases creates jobs with source_type 'usecase'", [
      { path: 'source_type', message: "'usecase' is reserved for budusecases" },
    ]);
  }
}
