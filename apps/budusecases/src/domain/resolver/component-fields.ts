import type { ComponentDefinition, DeploymentType, TemplateComponent } from '@bud/contracts';

/** Config keys a non-helm component understands; for helm, config is the chart's values. */
export const CONFIG_KEYS: Readonly<Record<Exclude<DeploymentType, 'helm'>, ReadonlySet<string>>> = {
  docker: new Set(['command', 'args', 'data_mount_path']),
  // model_size: the size of a model outside the catalog, read by the contract checks only (docs/templates.md#typed-contracts).
  model: new Set(['model_id', 'engine_args', 'model_size']),
};

/** Config keys whose strings may wait for dependency outputs, and where they land in the job. */
export function jobPathOf(deploymentType: DeploymentType, relative: ReadonlyArray<string | number>): Array<string | number> | null {
  const [field, key, ...rest] = relative;
  if (field === 'env' && key !== undefined) return deploymentType === 'helm' ? null : ['spec', 'env', key, ...rest];
  if (field === 'files' && typeof key === 'number' && rest.length === 1 && rest[0] === 'content')
    return deploymentType === 'helm' ? null : ['spec', 'files', key, 'content'];
  if (field !== 'config' || key === undefined) return null;
  if (deploymentType === 'helm') return ['spec', 'values', key, ...rest];
  if (deploymentType === 'docker' && (key === 'args' || key === 'command')) return ['spec', key, ...rest];
  if (deploymentType === 'model' && key === 'engine_args') return ['spec', 'engine_args', ...rest];
  return null;
}

/** `spec.env.<NAME>` of a job body: where a secret may go (completeJob moves it to `spec.secret_env`). */
export function isEnvValuePath(path: ReadonlyArray<string | number>): boolean {
  return path.length === 3 && path[0] === 'spec' && path[1] === 'env';
}

/** `spec.files[k].content` of a job body: a file that uses a secret parameter is mounted from a Secret. */
export function isFileContentPath(path: ReadonlyArray<string | number>): boolean {
  return path.length === 4 && path[0] === 'spec' && path[1] === 'files' && path[3] === 'content';
}

/**
 * Where a template may use a secret parameter: only in a value that becomes a container env value or a file's
 * content (either then reaches the container through a Kubernetes Secret). The same rule refuses a template when it is saved and
 * a plan when it is deployed. `relative` is the path inside the component, e.g. `['config', 'auth', 'password']`.
 */
export function secretAllowedAt(deploymentType: DeploymentType, relative: ReadonlyArray<string | number>): boolean {
  const path = jobPathOf(deploymentType, relative);
  return path !== null && (isEnvValuePath(path) || isFileContentPath(path));
}

export function secretPlacementMessage(parameter: string): string {
  return `uses the secret parameter '${parameter}': secrets may only be env values or file content (they reach the container through a Kubernetes Secret)`;
}

/** Template fields evaluated while planning: they decide sizing, so they cannot wait for outputs or secrets. */
export function planningFields(component: TemplateComponent): Array<[Array<string | number>, unknown]> {
  const fields: Array<[Array<string | number>, unknown]> = [];
  if (component.model_id !== undefined) fields.push([['model_id'], component.model_id]);
  if (component.gpu_type !== undefined) fields.push([['gpu_type'], component.gpu_type]);
  if (component.gpu_count !== undefined) fields.push([['gpu_count'], component.gpu_count]);
  if (component.replicas !== undefined) fields.push([['replicas'], component.replicas]);
  if (component.resources !== undefined) fields.push([['resources'], component.resources]);
  return fields;
}

/** Whether the template component supplies a registry input: as env, as a config key, or as model_id. */
export function suppliesInput(component: TemplateComponent, name: string): boolean {
  return (
    Object.hasOwn(component.env, name) || Object.hasOwn(component.config, name) || (name === 'model_id' && component.model_id !== undefined)
  );
}

export function chartRefOf(definition: ComponentDefinition): string {
  const chart = definition.helm_chart ?? '';
  return definition.helm_repo === 'charts' ? `charts/${chart}` : `${(definition.helm_repo ?? '').replace(/\/+$/, '')}/${chart}`;
}
