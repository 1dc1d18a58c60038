import type { TemplateParameter } from '@bud/contracts';
import { MAX_LIST_ITEMS, MAX_LIST_ITEM_LENGTH } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';

export const SECRET_MASK = '********';
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function checkRange(def: TemplateParameter, value: number): string | null {
  if (def.min !== undefined && value < def.min) return `must be at least ${def.min}`;
  if (def.max !== undefined && value > def.max) return `must be at most ${def.max}`;
  return null;
}

function checkOptions(def: TemplateParameter, value: string | number): string | null {
  if (!def.options || def.options.includes(value)) return null;
  // Secret options are never listed back; the others are what a form would offer anyway.
  return def.type === 'secret' ? 'is not an allowed value' : `must be one of ${def.options.map((o) => JSON.stringify(o)).join(', ')}`;
}

function listProblem(def: TemplateParameter, value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be a list of strings';
  if (value.length > MAX_LIST_ITEMS) return `must have at most ${MAX_LIST_ITEMS} items`;
  const seen = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string') return `item ${i} must be a string`;
    if (item.length > MAX_LIST_ITEM_LENGTH) return `item ${i} must be at most ${MAX_LIST_ITEM_LENGTH} characters`;
    if (seen.has(item)) return `item ${i} repeats an earlier item`;
    seen.add(item);
    if (def.options && !def.options.includes(item))
      return `item ${i} must be one of ${def.options.map((o) => JSON.stringify(o)).join(', ')}`;
    if (def.pattern !== undefined && !new RegExp(def.pattern, 'u').test(item)) return `item ${i} must match ${def.pattern}`;
  }
  if (def.min !== undefined && value.length < def.min) return `must have at least ${def.min} items`;
  if (def.max !== undefined && value.length > def.max) return `must have at most ${def.max} items`;
  return null;
}

/** Why `value` does not fit `def`, or null. Messages never quote the value (it may be a secret). */
export function parameterProblem(def: TemplateParameter, value: unknown): string | null {
  switch (def.type) {
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a ${def.type}`;
      if (def.type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      return checkRange(def, value) ?? checkOptions(def, value);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'enum':
      if (typeof value !== 'string' && typeof value !== 'number') return 'must be one of the options';
      return checkOptions(def, value);
    case 'string':
    case 'secret':
    case 'model_ref':
    case 'cluster_ref': {
      if (typeof value !== 'string') return 'must be a string';
      if (value.length > 65_536) return 'must be at most 65536 characters';
      if (def.type === 'model_ref' && (value.length > 300 || !MODEL_ID.test(value)))
        return 'must be a model id like meta-llama/Llama-3.1-8B-Instruct';
      if (def.type === 'cluster_ref' && !UUID.test(value)) return 'must be a cluster id (UUID)';
      if (def.min !== undefined && value.length < def.min) return `must be at least ${def.min} characters`;
      if (def.max !== undefined && value.length > def.max) return `must be at most ${def.max} characters`;
      if (def.pattern !== undefined && !new RegExp(def.pattern, 'u').test(value)) return `must match ${def.pattern}`;
      return checkOptions(def, value);
    }
    case 'list':
      return listProblem(def, value);
    default: {
      const unreachable: never = def.type;
      return `has an unknown type ${String(unreachable)}`;
    }
  }
}

export interface ResolvedParameters {
  /** Every declared parameter: the supplied value, else its default, else null. Secrets included. */
  values: Record<string, unknown>;
  secrets: ReadonlySet<string>;
  errors: ErrorDetail[];
}

/** Validates user parameters against the template's definitions and fills defaults (docs/design.md#template-format). */
export function resolveParameters(
  defs: readonly TemplateParameter[],
  supplied: Readonly<Record<string, unknown>>,
  prefix = 'parameters',
): ResolvedParameters {
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const secrets = new Set<string>();
  const errors: ErrorDetail[] = [];
  const known = new Set(defs.map((d) => d.name));
  for (const name of Object.keys(supplied)) {
    if (!known.has(name)) errors.push({ path: `${prefix}.${name}`, message: 'is not a parameter of this template' });
  }
  for (const def of defs) {
    if (def.type === 'secret') secrets.add(def.name);
    const given = Object.prototype.hasOwnProperty.call(supplied, def.name) ? supplied[def.name] : undefined;
    const value = given ?? def.default ?? null;
    if (value === null) {
      if (def.required) errors.push({ path: `${prefix}.${def.name}`, message: 'is required' });
      values[def.name] = null;
      continue;
    }
    const problem = parameterProblem(def, value);
    if (problem) errors.push({ path: `${prefix}.${def.name}`, message: problem });
    values[def.name] = value;
  }
  return { values: { ...values }, secrets, errors };
}

/** The parameters as they may be shown back: secrets masked, or null when not given. */
export function maskSecrets(values: Readonly<Record<string, unknown>>, secrets: ReadonlySet<string>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) shown[name] = secrets.has(name) && value !== null ? SECRET_MASK : value;
  return shown;
}
