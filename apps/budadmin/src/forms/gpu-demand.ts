import type { ComponentResponse, TemplateResponse } from '@bud/contracts';

/**
 * GPUs a template asks for with its defaults: each component's gpu_count (or its registry default)
 * × replicas. Counts written as expressions depend on parameters; they make the figure a minimum.
 */
export function gpuDemand(template: TemplateResponse, registry: ReadonlyMap<string, ComponentResponse>): string {
  let count = 0;
  let dependsOnParameters = false;
  for (const component of template.components) {
    const perReplica = component.gpu_count ?? registry.get(component.component_ref)?.default_gpu_count ?? 0;
    const replicas = component.replicas ?? 1;
    if (typeof perReplica !== 'number' || typeof replicas !== 'number') {
      dependsOnParameters = true;
      continue;
    }
    count += perReplica * replicas;
  }
  if (dependsOnParameters) return count === 0 ? 'GPUs set by parameters' : `${count}+ GPUs`;
  return count === 0 ? 'no GPU' : `${count} GPU${count === 1 ? '' : 's'}`;
}
