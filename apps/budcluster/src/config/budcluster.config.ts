import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@bud/config';

export const budclusterConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(9082),
  /** 32-byte key (hex or base64) for AES-256-GCM of stored kubeconfigs; embedded mode generates one under DATA_DIR. */
  SECRETS_KEY: z.string().min(32).optional(),
  /** Base URLs that receive `job-events` over the direct transport (ignored when Dapr is used). */
  EVENT_SUBSCRIBER_URLS: z.string().optional(),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  K8S_RESYNC_MS: z.coerce.number().int().min(1000).default(300_000),
  /** Register the shared simulated cluster `local` at start-up (default on in embedded mode). */
  LOCAL_CLUSTER: z.enum(['true', 'false']).optional(),
  CORS_ORIGINS: z.string().default('http://localhost:8007,http://127.0.0.1:8007'),
});
export type BudclusterConfig = z.infer<typeof budclusterConfigSchema>;

export const BUDCLUSTER_CONFIG = Symbol('BUDCLUSTER_CONFIG');

export function loadBudclusterConfig(env: Record<string, string | undefined> = process.env): BudclusterConfig {
  return loadConfig(budclusterConfigSchema, env);
}

export function subscriberUrls(config: BudclusterConfig): string[] {
  return (config.EVENT_SUBSCRIBER_URLS ?? config.BUDUSECASES_URL).split(',').map((u) => u.trim()).filter(Boolean);
}
