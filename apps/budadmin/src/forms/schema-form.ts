import type { FieldSchema, JsonSchema } from '../api/client';

export type FieldKind = 'text' | 'password' | 'integer' | 'number' | 'boolean' | 'select' | 'list';

/** One form field derived from a parameter's JSON Schema (GET /templates/{id}/schema). */
export interface FormField {
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  defaultValue?: unknown;
  options?: Array<string | number>;
  schema: FieldSchema;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function kindOf(schema: FieldSchema): FieldKind {
  if (schema.type === 'array') return 'list';
  if (schema.enum) return 'select';
  if (schema.writeOnly || schema.format === 'password') return 'password';
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number' || type === 'boolean') return type;
  return 'text';
}

export function formFields(schema: JsonSchema): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, field]) => ({
    name,
    label: field.title ?? name,
    description: field.description,
    kind: kindOf(field),
    required: required.has(name),
    defaultValue: field.default,
    options: field.type === 'array' ? field.items?.enum : field.enum,
    schema: field,
  }));
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

function listProblem(field: FormField, value: unknown): string | null {
  const { schema } = field;
  if (!Array.isArray(value)) return 'must be a list of strings';
  if (schema.maxItems !== undefined && value.length > schema.maxItems) return `must have at most ${schema.maxItems} items`;
  const seen = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string') return `item ${i} must be a string`;
    const max = schema.items?.maxLength;
    if (max !== undefined && item.length > max) return `item ${i} must be at most ${max} characters`;
    if (seen.has(item)) return `item ${i} repeats an earlier item`;
    seen.add(item);
    if (field.options && !field.options.includes(item))
      return `item ${i} must be one of ${field.options.map((o) => JSON.stringify(o)).join(', ')}`;
    const pattern = schema.items?.pattern;
    if (pattern !== undefined && !new RegExp(pattern, 'u').test(item)) return `item ${i} must match ${pattern}`;
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) return `must have at least ${schema.minItems} items`;
  return null;
}

/**
 * Why `value` does not fit the field, worded exactly as the server's resolver words it
 * (apps/budusecases/src/domain/resolver/parameters.ts), or null. Blank means "use the default".
 */
export function fieldProblem(field: FormField, value: unknown): string | null {
  if (isBlank(value)) return field.required && field.defaultValue === undefined ? 'is required' : null;
  const { schema } = field;
  const budType = schema['x-bud-type'];
  switch (field.kind) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a ${field.kind}`;
      if (field.kind === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'select':
      if (typeof value !== 'string' && typeof value !== 'number') return 'must be one of the options';
      return field.options?.includes(value) ? null : `must be one of ${(field.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
    case 'list':
      return listProblem(field, value);
    case 'text':
    case 'password': {
      if (typeof value !== 'string') return 'must be a string';
      if (budType === 'model_ref' && (value.length > 300 || !new RegExp(schema.pattern ?? '.*', 'u').test(value)))
        return 'must be a model id like meta-llama/Llama-3.1-8B-Instruct';
      if (budType === 'cluster_ref' && !UUID.test(value)) return 'must be a cluster id (UUID)';
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return `must be at most ${schema.maxLength} characters`;
      if (schema.minLength !== undefined && value.length < schema.minLength) return `must be at least ${schema.minLength} characters`;
      if (budType !== 'model_ref' && schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
        return `must match ${schema.pattern}`;
      return null;
    }
    default: {
      const unreachable: never = field.kind;
      return `has an unknown kind ${String(unreachable)}`;
    }
  }
}

/** The parameters to send: blank fields are left out so the server applies the template's defaults. */
export function parametersFrom(fields: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const field of fields) if (!isBlank(values[field.name])) parameters[field.name] = values[field.name];
  return parameters;
}

export function formProblems(fields: FormField[], values: Record<string, unknown>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const problem = fieldProblem(field, values[field.name]);
    if (problem) problems[field.name] = problem;
  }
  return problems;
}
