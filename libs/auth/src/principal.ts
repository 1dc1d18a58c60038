import type { Scope } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { ServiceIdentity, ServiceName } from './service-token';

export interface Principal {
  userId: string;
  tenantId: string;
  scopes: ReadonlySet<Scope>;
  /** The raw bearer token, forwarded when this service calls another on the caller's behalf. */
  token?: string;
  /** Set only for a platform service proven by a service token; never for a user or the dev principal. */
  service?: ServiceName;
}

export const DEV_USER_ID = '00000000-0000-4000-8000-000000000001';
export const DEV_TENANT_ID = '00000000-0000-4000-8000-000000000000';

/** The user id a service's own actions are recorded under (created_by, log lines). */
export const SERVICE_USER_IDS: Readonly<Record<ServiceName, string>> = {
  budcluster: '00000000-0000-4000-8000-0000000000cb',
  budusecases: '00000000-0000-4000-8000-0000000000ca',
};

/** A service acting for the tenant its token names, with the scopes the receiving service grants it. */
export function servicePrincipal(identity: ServiceIdentity & { tenantId: string }, scopes: readonly Scope[], token: string): Principal {
  return {
    userId: SERVICE_USER_IDS[identity.service],
    tenantId: identity.tenantId,
    scopes: new Set(scopes),
    token,
    service: identity.service,
  };
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has('platform:admin') || principal.scopes.has(scope);
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) throw new AppError('forbidden', `this action needs the scope '${scope}'`);
}
