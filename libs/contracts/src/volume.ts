import { z } from 'zod';
import { isoTimestampSchema, paginationQuerySchema, uuidSchema } from './common';

/**
 * docs/design.md#volumes: a PersistentVolumeClaim budcluster made for a job. It outlives the job: stop keeps it (start
 * attaches the same claim again), delete destroys it unless `keep_data=true`, which leaves it `retained` for its owner.
 */
export const volumeStatuses = ['attached', 'detached', 'retained', 'deleting'] as const;
export type VolumeStatus = (typeof volumeStatuses)[number];

export const volumeResponseSchema = z.object({
  id: uuidSchema,
  cluster_id: uuidSchema,
  tenant_id: uuidSchema,
  namespace: z.string(),
  claim_name: z.string(),
  volume_name: z.string().describe('the volume of the job spec (data, checkpoints, or a container volume name)'),
  job_name: z.string(),
  job_id: uuidSchema.nullable().describe('the job that last attached it'),
  usecase_deployment_id: uuidSchema.nullable(),
  component: z.string().nullable().describe('the use-case component it belongs to, when one'),
  size: z.string().describe('a Kubernetes quantity, e.g. 20Gi'),
  status: z.enum(volumeStatuses),
  estimated_cost_per_month: z.string().describe('decimal USD from the cluster price table'),
  created_at: isoTimestampSchema,
  updated_at: isoTimestampSchema,
  age_seconds: z.number().int().min(0),
});
export type VolumeResponse = z.infer<typeof volumeResponseSchema>;

export const volumeListQuerySchema = paginationQuerySchema
  .extend({
    status: z.enum(volumeStatuses).optional(),
    usecase_deployment_id: uuidSchema.optional(),
  })
  .strict();
export type VolumeListQuery = z.infer<typeof volumeListQuerySchema>;

/** `DELETE /jobs/{id}`: `keep_data=true` leaves the job's volumes retained instead of destroying them. */
export const deleteJobQuerySchema = z.object({ keep_data: z.enum(['true', 'false']).optional() }).strict();
export type DeleteJobQuery = z.infer<typeof deleteJobQuerySchema>;
