import type { TemplateSyncResult } from '@bud/contracts';

export { EVENT_PUBLISHER } from '@bud/outbox';
export { METRICS_REGISTRY } from '@bud/http';

/** Where system templates and the component seed live (`<dir>/components`, `<dir>/system`). */
export const TEMPLATES_DIR = Symbol('TEMPLATES_DIR');
/** The budcluster client (ServiceInvoker: Dapr when present, direct HTTP otherwise). */
export const SERVICE_INVOKER = Symbol('SERVICE_INVOKER');
/** Signs budusecases' service tokens toward budcluster for one tenant (background work, event checks). */
export const SERVICE_TOKEN_SIGNER = Symbol('SERVICE_TOKEN_SIGNER');
export const RECONCILER_SETTINGS = Symbol('RECONCILER_SETTINGS');

export interface ReconcilerSettings {
  tickMs: number;
  /** Unique per process, names the lease holder. */
  instanceId: string;
  leaseMs: number;
  /** How long a component may be unhealthy before its deployment is `degraded` (docs/design.md#deployment-update). */
  degradedGraceMs: number;
}

export type ServiceTokenSigner = (tenantId: string) => Promise<string>;
export type SyncResult = TemplateSyncResult;
