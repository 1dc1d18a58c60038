import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@bud/config';

export const budclusterConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(9082).describe('HTTP port'),
  /** 32-byte key (hex or base64) for AES-256-GCM of stored kubeconfigs; embedded mode generates one under DATA_DIR. */
  SECRETS_KEY: z
    .string()
    .min(32)
    .optional()
    .describe("32-byte key (hex or base64) encrypting stored kubeconfigs and jobs' secret_env; embedded mode generates one under DATA_DIR"),
  /** budusecases replicas that receive `job-events` over the direct transport (ignored when Dapr is used); each is shown budcluster's service token. */
  EVENT_SUBSCRIBER_URLS: z
    .string()
    .optional()
    .describe(
      "comma-separated budusecases replicas that receive job-events over the direct transport, signed with budcluster's service token (default: BUDUSECASES_URL)",
    ),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000).describe('outbox relay poll interval'),
  OUTBOX_LEASE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(30_000)
    .describe('how long an in-flight outbox row stays leased to one relay'),
  K8S_RESYNC_MS: z.coerce.number().int().min(1000).default(300_000).describe('Kubernetes relist and drift-repair interval'),
  K8S_ORPHAN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(120_000)
    .describe(
      'how old labelled objects without a job row must be before the resync removes them, and how long a just-applied job is spared from ResourceMissing',
    ),
  CLUSTER_OWNERSHIP_CHECK_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(2000)
    .describe(
      'how often a replica proves its cluster ownership, takes clusters without an owner (the handover time after an owner dies) and sweeps pending jobs handed to it',
    ),
  ROLLOUT_CHECK_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(1000)
    .describe(
      "how often in-place updates are checked against their job's readiness_timeout_seconds; one not ready by then is rolled back to the last good generation",
    ),
  CLUSTER_PROBE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(10_000)
    .describe(
      "how often each kubernetes cluster's API server is asked whether it answers; after 2 failed probes in a row the cluster is `unreachable` (new jobs there are refused with 503), at the first answer `ready` again",
    ),
  CLUSTER_API_ALLOW_PRIVATE_ADDRESSES: z
    .enum(['true', 'false'])
    .default('false')
    .describe(
      "let kubernetes clusters' API servers be on loopback, link-local (169.254/16, fe80::/10), cloud metadata or unspecified addresses — for development and the test bed only; private networks (10/8, 172.16/12, 192.168/16, fc00::/7) are always allowed",
    ),
  METER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .describe('run the usage meter (docs/design.md#metering); off only to measure what it costs'),
  METER_TICK_MS: z.coerce.number().int().min(100).max(300_000).default(15_000).describe('how often the usage meter runs'),
  METER_LATENESS_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(5000)
    .describe(
      'how far behind the clock the meter stays, so a status change committed a little after its clock time is still metered exactly',
    ),
  CRASH_AT: z
    .string()
    .optional()
    .describe('tests only: <point>[:<n>[:kill|error]] fails or kills the process at a named meter step (docs/design.md#metering)'),
  /** Register the shared simulated cluster `local` at start-up (default on in embedded mode). */
  LOCAL_CLUSTER: z
    .enum(['true', 'false'])
    .optional()
    .describe('register the shared simulated cluster local (default: on in embedded mode)'),
  CORS_ORIGINS: z.string().default('http://localhost:8007,http://127.0.0.1:8007').describe('browser origins allowed to call the API'),
});
export type BudclusterConfig = z.infer<typeof budclusterConfigSchema>;

export const BUDCLUSTER_CONFIG = Symbol('BUDCLUSTER_CONFIG');

export function loadBudclusterConfig(env: Record<string, string | undefined> = process.env): BudclusterConfig {
  return loadConfig(budclusterConfigSchema, env);
}

export function subscriberUrls(config: BudclusterConfig): string[] {
  return (config.EVENT_SUBSCRIBER_URLS ?? config.BUDUSECASES_URL)
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
}
