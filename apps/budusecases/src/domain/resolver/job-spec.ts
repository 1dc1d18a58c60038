import type { ComponentDefinition, JobFile, JobResources, JobSpec } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { chartRefOf } from './component-fields';

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

export interface SpecInput {
  definition: ComponentDefinition;
  releaseName: string;
  /** Registry default_values with the rendered template config merged over them. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** Rendered (or still pending) files; none for helm. */
  files: JobFile[];
  modelId: unknown;
  resources: JobResources;
  base: string;
  errors: ErrorDetail[];
}

function stringList(value: unknown, path: string, errors: ErrorDetail[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  errors.push({ path, message: 'must be a list of strings' });
  return undefined;
}

function containerSpec(input: SpecInput): JobSpec {
  const { definition: d, config, base, errors } = input;
  const mountValue = config['data_mount_path'] ?? '/data';
  const mount = typeof mountValue === 'string' && mountValue.startsWith('/') ? mountValue : '/data';
  if (mount !== mountValue) errors.push({ path: `${base}.config.data_mount_path`, message: 'must be an absolute path' });
  const command = stringList(config['command'], `${base}.config.command`, errors) ?? d.default_command;
  const args = stringList(config['args'], `${base}.config.args`, errors);
  const storage = input.resources.storage;
  return {
    kind: 'container',
    image: `${d.image ?? ''}:${d.image_tag ?? ''}`,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env: input.env,
    ...(input.files.length > 0 ? { files: input.files } : {}),
    ports: d.ports,
    ...(d.health_check_path ? { health_check_path: d.health_check_path } : {}),
    ...(storage ? { volumes: [{ name: 'data', mount_path: mount, size: storage }] } : {}),
  };
}

function modelSpec(input: SpecInput): JobSpec {
  const { definition: d, config, base, errors } = input;
  const modelId = input.modelId ?? config['model_id'];
  const modelPath = input.modelId !== undefined ? `${base}.model_id` : `${base}.config.model_id`;
  if (typeof modelId !== 'string' || modelId.length > 300 || !MODEL_ID.test(modelId)) {
    errors.push({
      path: modelPath,
      message: modelId === undefined ? 'is required for a model component' : 'must be a model id like meta-llama/Llama-3.1-8B-Instruct',
    });
  }
  const engineArgs = stringList(config['engine_args'], `${base}.config.engine_args`, errors);
  return {
    kind: 'model',
    engine: d.model_engine ?? 'vllm',
    model_id: typeof modelId === 'string' ? modelId : 'invalid',
    ...(engineArgs ? { engine_args: engineArgs } : {}),
    ...(Object.keys(input.env).length > 0 ? { env: input.env } : {}),
    ...(input.files.length > 0 ? { files: input.files } : {}),
  };
}

/** The `spec` of budcluster's create-job body for one component (docs/design.md#jobs). */
export function buildJobSpec(input: SpecInput): JobSpec {
  const d = input.definition;
  switch (d.deployment_type) {
    case 'helm':
      return {
        kind: 'helm',
        chart_ref: chartRefOf(d),
        ...(d.helm_version ? { chart_version: d.helm_version } : {}),
        release_name: input.releaseName.slice(0, 53).replace(/-+$/, ''),
        values: input.config,
      };
    case 'docker':
      return containerSpec(input);
    case 'model':
      return modelSpec(input);
    default: {
      const unreachable: never = d.deployment_type;
      throw new Error(`unknown deployment type ${String(unreachable)}`);
    }
  }
}
