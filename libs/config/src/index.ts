import { z } from 'zod';

/** Settings every service understands (docs/design.md#runtime-modes); each app extends this with its own. */
export const baseConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).describe('HTTP port'),
  HOST: z.string().optional().describe('bind address; 127.0.0.1 in dev auth mode, else 0.0.0.0'),
  DATA_DIR: z.string().default('.data').describe('root of embedded data (databases, generated keys)'),
  DATABASE_URL: z.string().url().optional().describe('PostgreSQL server URL; unset: embedded PGlite under DATA_DIR'),
  /** Connections per service; 1 is forced for the embedded engine. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10).describe('database connections (1 on the embedded engine)'),
  AUTH_JWT_SECRET: z.string().min(16).optional().describe('HS256 secret verifying bearer tokens; with AUTH_JWKS_URL unset too, dev mode'),
  AUTH_JWKS_URL: z.string().url().optional().describe('JWKS URL verifying RS256 bearer tokens (e.g. Keycloak)'),
  AUTH_ISSUER: z.string().optional().describe('expected token issuer (iss)'),
  AUTH_AUDIENCE: z.string().optional().describe('expected token audience (aud)'),
  AUTH_MAX_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400)
    .describe('longest lifetime a bearer token may have (exp − iat, or exp − now without iat); tokens without exp are refused'),
  SERVICE_TOKEN_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe(
      "secret (≥ 32 chars) the services sign and verify each other's tokens with, apart from user tokens; unset: generated once under DATA_DIR and shared by the services there",
    ),
  DAPR_HTTP_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe('Dapr sidecar HTTP port; set: invocation and pub/sub go through Dapr'),
  BUDCLUSTER_URL: z.string().url().default('http://127.0.0.1:9082').describe('budcluster base URL for the direct transport'),
  BUDUSECASES_URL: z.string().url().default('http://127.0.0.1:9084').describe('budusecases base URL for the direct transport'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('lowest level logged'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty').describe('pretty lines, or json for log collectors'),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {}

/** Parses the environment once at boot; the only place that reads `process.env`. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Dev mode (docs/design.md#dev-mode): no JWT secret and no JWKS → loopback only, everyone is the dev user. */
export function isDevAuth(config: Pick<BaseConfig, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL'>): boolean {
  return !config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL;
}
