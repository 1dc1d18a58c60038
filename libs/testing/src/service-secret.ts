import { SERVICE_USER_IDS, ServiceTokens } from '@bud/auth';
import type { ServiceName } from '@bud/auth';
import type { Caller } from './api-client';

/** SERVICE_TOKEN_SECRET every test platform gives both services, so they authenticate each other. */
export const TEST_SERVICE_TOKEN_SECRET = 'service-token-secret-for-tests-of-32-chars';

/** A caller holding `from`'s service token toward `to`, for one tenant (what budusecases shows budcluster). */
export async function newServiceCaller(
  from: ServiceName,
  to: ServiceName,
  tenantId: string,
  secret = TEST_SERVICE_TOKEN_SECRET,
): Promise<Caller> {
  return { tenantId, userId: SERVICE_USER_IDS[from], token: await new ServiceTokens(secret).sign(from, to, { tenantId }) };
}
