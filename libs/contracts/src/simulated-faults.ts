import { z } from 'zod';

/**
 * docs/design.md#simulated-faults: failures a user or a test rehearses on a simulated cluster. A fault matches a job by
 * image (substring of the container image, model engine or chart) or by job name, and says what its pods do:
 * - `unready`: ready as usual, then unready `after_seconds` later (back to ready after `for_seconds`, when given);
 * - `never_ready`: pods never pass readiness (a new job stays admitted; an update never completes and is rolled back);
 * - `crash`: the container crash-loops `after_seconds` after it starts (a service turns unhealthy, a batch job fails).
 */
export const simulatedFaultKinds = ['unready', 'never_ready', 'crash'] as const;
export type SimulatedFaultKind = (typeof simulatedFaultKinds)[number];

export const simulatedFaultSchema = z
  .object({
    match: z
      .object({
        image: z.string().min(1).max(500).optional(),
        job_name: z
          .string()
          .min(1)
          .max(63)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label')
          .optional(),
      })
      .strict()
      .refine((m) => m.image !== undefined || m.job_name !== undefined, { message: 'needs image or job_name' }),
    kind: z.enum(simulatedFaultKinds),
    after_seconds: z.number().int().min(0).max(86_400).optional(),
    for_seconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict()
  .superRefine((fault, ctx) => {
    if (fault.kind === 'never_ready' && fault.after_seconds !== undefined)
      ctx.addIssue({ code: 'custom', path: ['after_seconds'], message: 'does not apply to never_ready' });
    if (fault.kind !== 'unready' && fault.for_seconds !== undefined)
      ctx.addIssue({ code: 'custom', path: ['for_seconds'], message: `applies only to unready, not ${fault.kind}` });
  });
export type SimulatedFault = z.infer<typeof simulatedFaultSchema>;
export const MAX_SIMULATED_FAULTS = 50;
export const simulatedFaultsSchema = z.array(simulatedFaultSchema).max(MAX_SIMULATED_FAULTS);
