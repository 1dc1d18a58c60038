import type { TemplateDocument, TemplateParameter } from '@bud/contracts';
import { MAX_LIST_ITEMS, MAX_LIST_ITEM_LENGTH } from '@bud/contracts';

export type JsonSchema = Record<string, unknown>;

// The same shapes the resolver's parameterProblem accepts, so a form that validates also deploys.
const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._\\-/]*$';

function common(p: TemplateParameter): JsonSchema {
  return {
    title: p.label ?? p.name,
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    'x-bud-type': p.type,
  };
}

function range(p: TemplateParameter, lower: string, upper: string): JsonSchema {
  return { ...(p.min !== undefined ? { [lower]: p.min } : {}), ...(p.max !== undefined ? { [upper]: p.max } : {}) };
}

function stringSchema(p: TemplateParameter, extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'string',
    ...extra,
    ...range(p, 'minLength', 'maxLength'),
    ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
    ...(p.options ? { enum: p.options } : {}),
  };
}

function parameterSchema(p: TemplateParameter): JsonSchema {
  switch (p.type) {
    case 'integer':
    case 'number':
      return { type: p.type, ...range(p, 'minimum', 'maximum'), ...(p.options ? { enum: p.options } : {}), ...common(p) };
    case 'boolean':
      return { type: 'boolean', ...common(p) };
    case 'enum': {
      const options = p.options ?? [];
      const types = [...new Set(options.map((o) => (typeof o === 'number' ? 'number' : 'string')))];
      return { type: types.length === 1 ? types[0] : types, enum: options, ...common(p) };
    }
    case 'string':
      return { ...stringSchema(p, { maxLength: 65_536 }), ...common(p) };
    case 'model_ref':
      return { ...stringSchema(p, { maxLength: 300, pattern: MODEL_ID_PATTERN }), ...common(p) };
    case 'cluster_ref':
      return { type: 'string', format: 'uuid', ...common(p) };
    case 'list':
      return {
        type: 'array',
        items: {
          type: 'string',
          maxLength: MAX_LIST_ITEM_LENGTH,
          ...(p.options ? { enum: p.options } : {}),
          ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
        },
        uniqueItems: true,
        maxItems: p.max ?? MAX_LIST_ITEMS,
        ...(p.min !== undefined ? { minItems: p.min } : {}),
        ...common(p),
      };
    case 'secret':
      // Never echoed back: the form must not prefill or display it.
      return { ...stringSchema(p, { format: 'password', writeOnly: true }), ...common(p) };
    default: {
      const unreachable: never = p.type;
      throw new Error(`unknown parameter type ${String(unreachable)}`);
    }
  }
}

/**
 * JSON Schema (draft 2020-12) of a template's `parameters` object, what the UI builds its form from.
 * `required` lists what a deployment must supply: required parameters without a default.
 */
export function parametersJsonSchema(template: TemplateDocument): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:bud:template:${template.id}:${template.version}:parameters`,
    title: `${template.name} parameters`,
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(template.parameters.map((p) => [p.name, parameterSchema(p)])),
    required: template.parameters.filter((p) => p.required && p.default === undefined).map((p) => p.name),
  };
}
