import { z } from 'zod';
import { budgetVerdictSchema } from './metering';
import { capacityVerdictSchema } from './template';

const usdString = z
  .string()
  .regex(/^-?\d+\.\d{6}$/, 'decimal USD')
  .describe('decimal USD');

export const changeActions = ['update', 'scale', 'upgrade', 'stop', 'delete'] as const;
export type ChangeAction = (typeof changeActions)[number];
/** What a change does to one component (docs/design.md#change-preview). */
export const componentChanges = ['unchanged', 'scale', 'rolling', 'add', 'remove'] as const;
export type ComponentChange = (typeof componentChanges)[number];

export const fieldChangeSchema = z.object({
  path: z.string().describe('dotted path inside the job, e.g. spec.env.LOG_LEVEL or resources.replicas'),
  from: z.unknown(),
  to: z.unknown(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const componentChangePlanSchema = z.object({
  id: z.string(),
  component_ref: z.string(),
  change: z.enum(componentChanges),
  fields: z.array(fieldChangeSchema),
  estimated_cost_per_hour_before: usdString,
  estimated_cost_per_hour_after: usdString,
});
export type ComponentChangePlan = z.infer<typeof componentChangePlanSchema>;

export const restartCauseSchema = z.object({
  component: z.string().describe('the dependent that restarts'),
  because_of: z.object({ component: z.string(), output: z.string() }),
});
export type RestartCause = z.infer<typeof restartCauseSchema>;

export const volumeAtRiskSchema = z.object({
  component: z.string(),
  volume: z.string(),
  claim_name: z.string(),
  size: z.string(),
  estimated_cost_per_month: usdString,
});
export type VolumeAtRisk = z.infer<typeof volumeAtRiskSchema>;

/** The answer of `?dry_run=true` on update, scale, upgrade, stop and delete: what would happen, and nothing happens. */
export const changePlanSchema = z.object({
  action: z.enum(changeActions),
  deployment_id: z.string(),
  template_version_before: z.string(),
  template_version_after: z.string(),
  components: z.array(componentChangePlanSchema),
  blast_radius: z.array(restartCauseSchema),
  cost: z.object({
    before_per_hour: usdString,
    after_per_hour: usdString,
    difference_per_hour: usdString,
    gpus_before: z.record(z.string(), z.number().int()),
    gpus_after: z.record(z.string(), z.number().int()),
  }),
  capacity: capacityVerdictSchema,
  data_at_risk: z.array(volumeAtRiskSchema),
  /** docs/design.md#budgets: what the added cost per hour would do to the budgets covering the deployment (only when it grows). */
  budget: budgetVerdictSchema.optional(),
});
export type ChangePlan = z.infer<typeof changePlanSchema>;
