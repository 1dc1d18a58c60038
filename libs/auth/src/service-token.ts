import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { z } from 'zod';
import { uuidSchema } from '@bud/contracts';
import { AppError } from '@bud/errors';

/** The platform's own services; a service token names who signed it and for whom. */
export const serviceNames = ['budcluster', 'budusecases'] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface ServiceIdentity {
  service: ServiceName;
  /** The tenant the caller acts for, when the call is on one tenant's behalf. */
  tenantId?: string;
}

const ISSUER_PREFIX = 'bud-service:';
const SERVICE_TOKEN_TYPE = 'bud-service+jwt';
const MAX_TTL_SECONDS = 900;

const claimsSchema = z.object({
  iss: z.string().startsWith(ISSUER_PREFIX),
  sub: z.enum(serviceNames),
  tenant_id: uuidSchema.transform((id) => id.toLowerCase()).optional(),
  exp: z.number(),
  iat: z.number(),
});

/**
 * Tokens one platform service shows another (HS256 over SERVICE_TOKEN_SECRET). They are apart from
 * user tokens: a different key and issuer, so no identity provider can mint one and no user token can
 * pass for one.
 */
export class ServiceTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the service token secret must have at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  /** Reads the secret from `path`, creating it on first use (embedded mode: both services share DATA_DIR). */
  static fromKeyFile(path: string): ServiceTokens {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      try {
        writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // The other service created it first; read theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return new ServiceTokens(readFileSync(path, 'utf8').trim());
  }

  async sign(from: ServiceName, to: ServiceName, options: { tenantId?: string; ttlSeconds?: number } = {}): Promise<string> {
    const ttl = Math.min(options.ttlSeconds ?? 300, MAX_TTL_SECONDS);
    const claims = options.tenantId ? { tenant_id: options.tenantId } : {};
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: SERVICE_TOKEN_TYPE })
      .setIssuer(`${ISSUER_PREFIX}${from}`)
      .setSubject(from)
      .setAudience(`${ISSUER_PREFIX}${to}`)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(this.key);
  }

  /** The calling service, or 401 in the error shape. `audience` is the service verifying. */
  async verify(authorization: string | undefined, audience: ServiceName): Promise<ServiceIdentity> {
    const token = bearerToken(authorization);
    if (!token) throw new AppError('unauthenticated', 'a service token is required');
    const identity = await this.tryVerify(token, audience);
    if (!identity) throw new AppError('unauthenticated', 'the service token is not valid');
    return identity;
  }

  /** The calling service when `token` is a valid service token for `audience`, else null (it may be a user token). */
  async tryVerify(token: string, audience: ServiceName): Promise<ServiceIdentity | null> {
    try {
      // User tokens go through every request's guard first: tell them apart by type before any signature work.
      if (decodeProtectedHeader(token).typ !== SERVICE_TOKEN_TYPE) return null;
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: `${ISSUER_PREFIX}${audience}`,
        requiredClaims: ['exp', 'iat', 'iss', 'sub'],
        maxTokenAge: `${MAX_TTL_SECONDS}s`,
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success || claims.data.iss !== `${ISSUER_PREFIX}${claims.data.sub}`) return null;
      if (claims.data.exp - claims.data.iat > MAX_TTL_SECONDS) return null;
      return { service: claims.data.sub, tenantId: claims.data.tenant_id };
    } catch {
      return null;
    }
  }
}

/** SERVICE_TOKEN_SECRET when set; else the key under DATA_DIR that the services started there share. */
export function serviceTokensFor(settings: { SERVICE_TOKEN_SECRET?: string; DATA_DIR: string }): ServiceTokens {
  return settings.SERVICE_TOKEN_SECRET
    ? new ServiceTokens(settings.SERVICE_TOKEN_SECRET)
    : ServiceTokens.fromKeyFile(join(settings.DATA_DIR, 'service-token.key'));
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
}
