import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import { scopes as knownScopes, uuidSchema } from '@bud/contracts';
import type { Scope } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { Principal } from './principal';
import { DEV_TENANT_ID, DEV_USER_ID } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

export interface AuthSettings {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** The longest a token may live: exp − iat, or exp − now when iat is missing. */
  maxTokenTtlSeconds?: number;
}

export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 86_400;

// Lower-cased: PostgreSQL hands uuids back lower-case, and a tenant must match its own rows whatever its issuer wrote.
const claimsSchema = z.object({
  sub: uuidSchema.transform((id) => id.toLowerCase()),
  tenant_id: uuidSchema.transform((id) => id.toLowerCase()),
  scopes: z.array(z.string()).default([]),
});

/** Verifies bearer tokens (HS256 secret or RS256 JWKS), or grants the dev principal when neither is configured. */
export class TokenVerifier {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly secret?: Uint8Array;
  private readonly verified: VerifiedTokenCache;

  constructor(
    private readonly settings: AuthSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.verified = new VerifiedTokenCache(now);
    if (settings.jwksUrl) this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
    if (settings.jwtSecret) this.secret = new TextEncoder().encode(settings.jwtSecret);
  }

  get devMode(): boolean {
    return !this.jwks && !this.secret;
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (this.devMode) {
      return { userId: DEV_USER_ID, tenantId: DEV_TENANT_ID, scopes: new Set(knownScopes), token };
    }
    if (!token) throw new AppError('unauthenticated', 'a bearer token is required');
    const known = this.verified.get(token);
    if (known) return known;
    const payload = await this.verifyToken(token);
    const expiresAt = this.checkLifetime(payload);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError('unauthenticated', 'the token lacks a valid sub or tenant_id claim');
    const granted = claims.data.scopes.filter((s): s is Scope => (knownScopes as readonly string[]).includes(s));
    const principal: Principal = { userId: claims.data.sub, tenantId: claims.data.tenant_id, scopes: new Set(granted), token };
    this.verified.remember(token, principal, expiresAt);
    return principal;
  }

  /** A token that never expires, or lives for weeks, is a stolen credential waiting to happen. Answers its exp. */
  private checkLifetime(payload: JWTPayload): number {
    const maxTtl = this.settings.maxTokenTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS;
    const issuedAt = payload.iat ?? Math.floor(this.now() / 1000);
    if (payload.exp === undefined) throw new AppError('unauthenticated', 'the token is not valid: it has no exp (expiry) claim');
    if (payload.exp - issuedAt > maxTtl) {
      throw new AppError(
        'unauthenticated',
        `the token is not valid: its lifetime (exp − ${payload.iat === undefined ? 'now' : 'iat'}) exceeds ${maxTtl} seconds`,
      );
    }
    return payload.exp;
  }

  private async verifyToken(token: string): Promise<JWTPayload> {
    const options = {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      requiredClaims: ['exp'],
      currentDate: new Date(this.now()),
    };
    try {
      if (this.secret) return (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
      if (this.jwks) return (await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256'] })).payload;
    } catch (error) {
      throw new AppError('unauthenticated', `the token is not valid: ${(error as Error).message}`);
    }
    throw new AppError('unauthenticated', 'no token verification is configured');
  }
}
