import type { DeploymentPlan, PlannedComponent, ScaleComponentRequest, TemplateDocument } from '@bud/contracts';
import type { ComponentOverrides } from '../../domain/deployment/component-overrides';

export type { ComponentOverride, ComponentOverrides } from '../../domain/deployment/component-overrides';

/** A change asked of a running deployment (docs/design.md#deployment-update). */
export type DeploymentChange =
  | { kind: 'update'; parameters: Record<string, unknown> }
  | { kind: 'scale'; componentId: string; request: ScaleComponentRequest }
  | { kind: 'upgrade'; parameters: Record<string, unknown> };

/** What a deployment would be after a change: the lead's shared shape between apply (updater) and preview. */
export interface NextDeploymentState {
  templateVersion: string;
  templateDocument: TemplateDocument;
  /** The re-planned plan (parameters masked, totals over the new plan, overrides applied). */
  plan: DeploymentPlan;
  secretParameters: Record<string, unknown>;
  overrides: ComponentOverrides;
  /** Every component the new plan runs, overrides applied to `job.resources` (and to `resources`, `gpu`, cost). */
  planned: Map<string, PlannedComponent>;
  /** Component ids the change adds, drops, or whose planned job changes. */
  added: string[];
  removed: string[];
  changed: string[];
}

/** What a dry run previews. */
export type PreviewRequest =
  { action: 'update' | 'scale' | 'upgrade'; change: DeploymentChange } | { action: 'stop' } | { action: 'delete'; keepData: boolean };
