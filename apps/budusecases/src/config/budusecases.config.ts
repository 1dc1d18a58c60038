import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@bud/config';

export const budusecasesConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(9084),
  /** Root holding `components/` (registry seed) and `system/` (system templates). */
  TEMPLATES_DIR: z.string().default('templates'),
  /** Base URLs that receive `usecase-events` over the direct transport (none by default). */
  EVENT_SUBSCRIBER_URLS: z.string().optional(),
  RECONCILE_TICK_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** 32-byte key (hex or base64) sealing secret parameters at rest; embedded mode generates one under DATA_DIR. */
  SECRETS_KEY: z.string().min(32).optional(),
  RECONCILE_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Test-only fault injection, `<crash point>[:<n>]` (services/crash-points.ts). */
  CRASH_AT: z.string().optional(),
  CORS_ORIGINS: z.string().default('http://localhost:8007,http://127.0.0.1:8007'),
});
export type BudusecasesConfig = z.infer<typeof budusecasesConfigSchema>;

export function loadBudusecasesConfig(env: Record<string, string | undefined> = process.env): BudusecasesConfig {
  return loadConfig(budusecasesConfigSchema, env);
}
