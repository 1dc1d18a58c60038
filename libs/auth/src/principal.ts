import type { Scope } from '@bud/contracts';
import { AppError } from '@bud/errors';

export interface Principal {
  userId: string;
  tenantId: string;
  scopes: ReadonlySet<Scope>;
  /** The raw bearer token, forwarded when this service calls another on the caller's behalf. */
  token?: string;
}

export const DEV_USER_ID = '00000000-0000-4000-8000-000000000001';
export const DEV_TENANT_ID = '00000000-0000-4000-8000-000000000000';

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has('platform:admin') || principal.scopes.has(scope);
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) throw new AppError('forbidden', `this action needs the scope '${scope}'`);
}
