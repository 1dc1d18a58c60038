import { z } from 'zod';

/**
 * docs/design.md#job-health: how a job's workload is doing, beside its lifecycle status. A running service can be
 * `unhealthy` (a pod lost readiness) or `progressing` (an in-place update rolls out) and still be `running`.
 */
export const jobHealths = ['healthy', 'progressing', 'unhealthy', 'unknown'] as const;
export type JobHealth = (typeof jobHealths)[number];

/** The rollout as the cluster reports it; `generation` counts the job's spec/resources changes (1 at create). */
export const jobRolloutSchema = z.object({
  generation: z.number().int().min(1),
  observed_generation: z.number().int().min(0).describe('the newest generation the cluster has rolled out completely'),
  replicas: z.number().int().min(0),
  ready_replicas: z.number().int().min(0),
  updated_replicas: z.number().int().min(0),
});
export type JobRollout = z.infer<typeof jobRolloutSchema>;

/** What a driver reports about a job's health; the lifecycle records a change and emits it on job-events. */
export const observedHealthSchema = z.object({
  health: z.enum(jobHealths),
  reason: z.string().max(100),
  message: z.string().max(1000).nullable(),
});
