import type { JobOutputs } from '@bud/contracts';
import { renderComponentOutputs } from '../resolver';
import type { DeploymentComponentRecord } from '../../entities/records';

/** A component's declared outputs from its job's; empty until the job reports where it listens. */
export function componentOutputs(component: DeploymentComponentRecord, jobOutputs: JobOutputs): Record<string, unknown> {
  if (!jobOutputs.service && !jobOutputs.url) return component.outputs;
  const rendered = renderComponentOutputs(component.definition, jobOutputs);
  return rendered.ok ? rendered.value : component.outputs;
}
