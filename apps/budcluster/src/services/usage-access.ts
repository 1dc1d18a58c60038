import type { Principal } from '@bud/auth';
import { requireScope } from '@bud/auth';
import { AppError } from '@bud/errors';

/**
 * Whose usage a billing read may see (docs/design.md#usage): `billing:view` reads its own tenant; `platform:admin`
 * any tenant it names, and with `allWhenUnnamed` every tenant (null) when it names none. Another tenant's id from
 * anyone else is a 404 naming `tenant_id`, the same answer as an id that exists nowhere.
 */
export function billingTenant(principal: Principal, requested: string | undefined, allWhenUnnamed: boolean): string | null {
  requireScope(principal, 'billing:view');
  const named = requested?.toLowerCase();
  if (principal.scopes.has('platform:admin')) return named ?? (allWhenUnnamed ? null : principal.tenantId);
  if (named !== undefined && named !== principal.tenantId.toLowerCase()) {
    throw new AppError('not_found', `tenant '${named}' was not found (query.tenant_id)`, [
      { path: 'query.tenant_id', message: 'names no tenant this caller can see' },
    ]);
  }
  return principal.tenantId;
}
