import { SignJWT } from 'jose';
import type { Scope } from '@bud/contracts';

/** Mints HS256 tokens: service identities for background work, and test callers. */
export async function signToken(
  secret: string,
  claims: { sub: string; tenant_id: string; scopes: Scope[] },
  ttlSeconds = 3600,
): Promise<string> {
  return new SignJWT({ tenant_id: claims.tenant_id, scopes: claims.scopes })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
