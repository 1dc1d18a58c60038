import type { Principal } from '@bud/auth';
import { hasScope } from '@bud/auth';
import type { SourceType } from '@bud/contracts';
import { AppError } from '@bud/errors';

/** brief §4: a job's permissions follow its source — `usecase:*` for USECASE jobs, `job:*` otherwise. */
export function requireJobAccess(principal: Principal, sourceType: SourceType, action: 'view' | 'manage'): void {
  const scope = sourceType === 'usecase' ? (`usecase:${action}` as const) : (`job:${action}` as const);
  const viaCreatorScope = action === 'view' && hasScope(principal, 'job:view');
  if (!hasScope(principal, scope) && !viaCreatorScope) throw new AppError('forbidden', `this action needs the scope '${scope}'`);
}
