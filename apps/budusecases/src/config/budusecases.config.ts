import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@bud/config';

const settingsSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(9084).describe('HTTP port'),
  /** Root holding `components/` (registry seed) and `system/` (system templates). */
  TEMPLATES_DIR: z
    .string()
    .default('templates')
    .describe('folder with components/ (registry seed) and system/ (system templates), synced at start-up'),
  /** Base URLs that receive `usecase-events` over the direct transport (none by default). */
  EVENT_SUBSCRIBER_URLS: z.string().optional().describe('comma-separated direct-transport subscribers of usecase-events'),
  RECONCILE_TICK_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(600_000)
    .default(2000)
    .describe('reconciler period for deployments not yet settled'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000).describe('outbox relay poll interval'),
  OUTBOX_LEASE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(30_000)
    .describe('how long an in-flight outbox row stays leased to one relay'),
  /** 32-byte key (hex or base64) sealing secret parameters at rest; embedded mode generates one under DATA_DIR. */
  SECRETS_KEY: z
    .string()
    .min(32)
    .optional()
    .describe('32-byte key (hex or base64) sealing secret parameters at rest; embedded mode generates one under DATA_DIR'),
  RECONCILE_LEASE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(30_000)
    .describe('how long a crashed replica keeps a deployment from other reconcilers'),
  DEGRADED_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(30_000)
    .describe('how long a component may stay unhealthy before its deployment turns degraded (a blip shorter than this changes nothing)'),
  /** Test-only fault injection, `<crash point>[:<n>]` (services/crash-points.ts). */
  CRASH_AT: z
    .string()
    .optional()
    .describe(
      'test-only fault injection: `<point>`, `<point>:<n>` or `<point>:<n>:error`; the n-th pass through a crash point kills the process (`:error` fails that pass instead)',
    ),
  CORS_ORIGINS: z.string().default('http://localhost:8007,http://127.0.0.1:8007').describe('browser origins allowed to call the API'),
  APP_API_TOKEN: z
    .string()
    .min(32)
    .optional()
    .describe(
      "Dapr's app API token (≥ 32 chars), the same value its sidecar has: job events are accepted from the sidecar only with it in dapr-api-token; required with DAPR_HTTP_PORT",
    ),
});

// Without the token nothing could tell the sidecar's deliveries from anyone's: refuse to start rather than accept either.
export const budusecasesConfigSchema = settingsSchema.superRefine((config, context) => {
  if (config.DAPR_HTTP_PORT && !config.APP_API_TOKEN)
    context.addIssue({
      code: 'custom',
      path: ['APP_API_TOKEN'],
      message: "is required with DAPR_HTTP_PORT: give the app and its sidecar the same token (Dapr's app API token)",
    });
});
export type BudusecasesConfig = z.infer<typeof budusecasesConfigSchema>;

export function loadBudusecasesConfig(env: Record<string, string | undefined> = process.env): BudusecasesConfig {
  return loadConfig(budusecasesConfigSchema, env);
}
