import { z } from 'zod';

export const uuidSchema = z.uuid({ message: 'must be a UUID' });
export const slugSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be a slug: lowercase letters, digits and dashes, 2-63 chars, starting with a letter');
export const dnsLabelSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and dashes');
export const isoTimestampSchema = z.iso.datetime({ offset: true });

const labelKey = z
  .string()
  .min(1)
  .max(253)
  .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a Kubernetes label key');
const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a Kubernetes label value');
/**
 * Label namespaces the platform writes itself (docs/design.md#drivers): `bud.ai/` and its subdomains, Kueue's, and
 * `app.kubernetes.io/managed-by`. A caller's label there could impersonate another job or jump a tenant's queue.
 */
export function isReservedLabelKey(key: string): boolean {
  if (key === 'app.kubernetes.io/managed-by') return true;
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash).toLowerCase();
  return prefix === 'bud.ai' || prefix.endsWith('.bud.ai') || prefix === 'kueue.x-k8s.io';
}

export const labelsSchema = z.record(labelKey, labelValue).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (isReservedLabelKey(key))
      ctx.addIssue({ code: 'custom', path: [key], message: 'uses a prefix the platform reserves for its own labels' });
  }
});
export const annotationsSchema = z.record(z.string().min(1).max(253), z.string().max(65536));

const integerFromQuery = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a positive integer').transform(Number).pipe(z.number().int().min(min).max(max));

/** `?page=1&page_size=20`, the list contract of docs/design.md#lists-and-pagination. */
export const paginationQuerySchema = z.object({
  page: integerFromQuery(1, 1_000_000).default(1),
  page_size: integerFromQuery(1, 100).default(20),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

/** What a list's `total` is: counted in full, counted up to a cap (a lower bound), or the planner's estimate. */
export const totalKinds = ['exact', 'capped', 'estimate'] as const;
export type TotalKind = (typeof totalKinds)[number];

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
    total_capped: z.boolean().optional().describe('true when total is a lower bound: counting stops at a route-specific cap'),
    total_kind: z
      .enum(totalKinds)
      .optional()
      .describe("what total is, on lists that say: 'exact', 'capped' (a lower bound, total_capped) or 'estimate' (the planner's)"),
    next_cursor: z
      .string()
      .nullable()
      .optional()
      .describe('on keyset-paged lists: pass as ?cursor= for the next page; null on the last page'),
  });
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  total_capped?: boolean;
  total_kind?: TotalKind;
  next_cursor?: string | null;
}

export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_transition',
  'read_only',
  'payload_too_large',
  'unsupported_media_type',
  'upstream_unavailable',
  'service_unavailable',
  'internal_error',
] as const;
export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorBodySchema = z.object({
  status_code: z.number().int(),
  error: errorCodeSchema,
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  error_id: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const scopes = [
  'usecase:view',
  'usecase:manage',
  'template:manage',
  'job:view',
  'job:manage',
  'cluster:manage',
  /** docs/design.md#usage: read usage, invoices and budgets of one's tenant. */
  'billing:view',
  /** docs/design.md#budgets: set and delete the tenant's budgets. */
  'billing:manage',
  'platform:admin',
] as const;
export type Scope = (typeof scopes)[number];
