import { z } from 'zod';

/** Settings every service understands (brief §2); each app extends this with its own. */
export const baseConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.string().url().optional(),
  /** Connections per service; 1 is forced for the embedded engine. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  AUTH_JWT_SECRET: z.string().min(16).optional(),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  DAPR_HTTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  BUDCLUSTER_URL: z.string().url().default('http://127.0.0.1:9082'),
  BUDUSECASES_URL: z.string().url().default('http://127.0.0.1:9084'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty'),
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

/** Dev mode (brief §4): no JWT secret and no JWKS → loopback only, everyone is the dev user. */
export function isDevAuth(config: Pick<BaseConfig, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL'>): boolean {
  return !config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL;
}
