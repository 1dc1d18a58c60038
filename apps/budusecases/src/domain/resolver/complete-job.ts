import type { ComponentDefinition, CreateJobRequest, JobOutputs, PlannedComponent } from '@bud/contracts';
import { MAX_ENV_VALUE_LENGTH, MAX_FILE_BYTES, jobFilesSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { formatPath } from '@bud/errors';
import type { Scope } from '../expressions';
import { ExpressionError, renderTemplateString, valueToText } from '../expressions';
import { expressionDetail } from './analyze-template';
import { isEnvValuePath, isFileContentPath } from './component-fields';
import { planningScope } from './resolve-template';
import { setOwn } from './render-tree';
import type { ResolveContext, Result } from './types';

export interface CompletionInput {
  /** `resolveParameters(...).values`: the deployment's parameters, secrets included. */
  parameters: Readonly<Record<string, unknown>>;
  context: ResolveContext;
  /** Component id → its outputs as `renderComponentOutputs` gives them, for every finished dependency. */
  outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

// Kubernetes takes env values, argument lists and file content only as strings.
const TEXT_FIELDS = new Set(['env', 'args', 'command', 'engine_args', 'files']);

/** A component's outputs (`url`, ...) from its job's outputs, via the registry's `outputs` templates. */
export function renderComponentOutputs(definition: ComponentDefinition, jobOutputs: JobOutputs): Result<Record<string, unknown>> {
  const scope: Scope = { ...jobOutputs };
  const values: Record<string, unknown> = {};
  const errors: ErrorDetail[] = [];
  for (const [key, template] of Object.entries(definition.outputs)) {
    try {
      setOwn(values, key, renderTemplateString(template, scope, formatPath([key], 'outputs')).value);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      errors.push(expressionDetail(error));
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: values };
}

function containerAt(root: Record<string, unknown>, path: ReadonlyArray<string | number>): Record<string, unknown> | unknown[] | null {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return null;
    node = Array.isArray(node)
      ? node[Number(segment)]
      : Object.prototype.hasOwnProperty.call(node, segment)
        ? (node as Record<string, unknown>)[segment]
        : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown> | unknown[]) : null;
}

/**
 * The job body ready for budcluster: every pending string of the plan rendered with the dependencies'
 * outputs and the secret parameters. Fails (with paths inside the job) when an output is missing.
 */
/** An env value made from a secret parameter leaves `spec.env` for the write-only `spec.secret_env`. */
function moveToSecretEnv(job: CreateJobRequest, name: string, value: string): void {
  if (job.spec.kind === 'helm') throw new Error('a helm spec has no env');
  const env = { ...job.spec.env };
  delete env[name];
  job.spec.env = env;
  job.spec.secret_env = { ...job.spec.secret_env, [name]: value };
}

/** Most characters a pending string may render to: a file's content and an env value have their own bounds. */
function maxLengthAt(path: ReadonlyArray<string | number>): number | undefined {
  if (isFileContentPath(path)) return MAX_FILE_BYTES;
  if (isEnvValuePath(path)) return MAX_ENV_VALUE_LENGTH;
  return undefined;
}

/** The bounds of the plan, again on the completed job: outputs and secrets can make env values and files too big. */
function boundsErrors(job: CreateJobRequest): ErrorDetail[] {
  if (job.spec.kind === 'helm') return [];
  const errors: ErrorDetail[] = [];
  for (const [field, env] of [
    ['env', job.spec.env ?? {}],
    ['secret_env', job.spec.secret_env ?? {}],
  ] as const) {
    for (const [name, value] of Object.entries(env))
      if (value.length > MAX_ENV_VALUE_LENGTH)
        errors.push({ path: formatPath(['spec', field, name]), message: `renders to more than ${MAX_ENV_VALUE_LENGTH} characters` });
  }
  const files = jobFilesSchema.safeParse(job.spec.files ?? []);
  if (!files.success) {
    const named = new Set<string>();
    for (const issue of files.error.issues) {
      const path = formatPath(['spec', 'files', ...issue.path]);
      if (!named.has(path)) errors.push({ path, message: issue.message });
      named.add(path);
    }
  }
  return errors;
}

export function completeJob(component: PlannedComponent, input: CompletionInput): Result<CreateJobRequest> {
  const job = structuredClone(component.job);
  if (component.pending.length === 0) return { ok: true, value: job };
  const base = planningScope({ ...input.parameters }, new Set(), input.context);
  const components: Record<string, unknown> = {};
  for (const [id, outputs] of Object.entries(input.outputs)) setOwn(components, id, { outputs });
  const scope: Scope = { ...base, components };
  const errors: ErrorDetail[] = [];
  for (const pending of component.pending) {
    const path = formatPath(pending.path);
    const container = containerAt(job, pending.path);
    const key = pending.path[pending.path.length - 1];
    const current: unknown =
      container === null || key === undefined ? undefined : Array.isArray(container) ? container[Number(key)] : container[key];
    if (container === null || key === undefined || typeof current !== 'string') {
      errors.push({ path, message: 'is not a pending string of this job' });
      continue;
    }
    try {
      const value = renderTemplateString(current, scope, path, { maxLength: maxLengthAt(pending.path) }).value;
      const text = TEXT_FIELDS.has(String(pending.path[1]));
      if (pending.secrets.length > 0 && isEnvValuePath(pending.path)) moveToSecretEnv(job, String(key), valueToText(value));
      else if (Array.isArray(container)) container[Number(key)] = text ? valueToText(value) : value;
      else setOwn(container, String(key), text ? valueToText(value) : value);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      errors.push(expressionDetail(error));
    }
  }
  if (errors.length === 0) errors.push(...boundsErrors(job));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: job };
}
