import { z } from 'zod';
import { uuidSchema } from '@bud/contracts';

export const clusterParamsSchema = z.object({ cluster_id: uuidSchema }).strict();
export const jobParamsSchema = z.object({ cluster_id: uuidSchema, job_id: uuidSchema }).strict();
export const idParamsSchema = z.object({ id: uuidSchema }).strict();
