import type { DeploymentPlan, TemplateDocumentInput, TemplateParameter } from '@bud/contracts';
import { templateDocumentSchema, templateParameterSchema } from '@bud/contracts';
import { parametersJsonSchema } from '../parameter-schema';
import { parameterProblem, resolveTemplate } from './index';
import { makeContext, makeRegistry, makeTemplate } from '../../../test/support/resolver-fixtures';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const tools = (extra: Partial<TemplateParameter> = {}): TemplateParameter =>
  templateParameterSchema.parse({ name: 'tools', type: 'list', options: ['time', 'fetch', 'search'], default: ['time'], ...extra });

const base = makeTemplate();
/** The test template with a `tools` list: the vector DB runs only when some tool is on, the app gets the list as env. */
function withTools(parameter: TemplateParameter = tools()): Partial<TemplateDocumentInput> {
  return {
    parameters: [...base.parameters, parameter],
    components: [
      { ...base.components[0], condition: 'parameters.tools' },
      base.components[1],
      {
        ...base.components[2],
        env: {
          DB: "{{ components['vector-db'].outputs.url | default('') }}",
          TOOLS: '{{ parameters.tools }}',
          LABEL: 'tools={{ parameters.tools }}',
        },
      },
    ],
  };
}

function plan(parameters: Record<string, unknown>, overrides = withTools()): DeploymentPlan {
  const result = resolveTemplate({ template: makeTemplate(overrides), registry: makeRegistry(), parameters, context: makeContext() });
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  return result.plan;
}

describe('list parameters', () => {
  const free = tools({ options: undefined });
  it.each<[string, unknown, string | null, TemplateParameter?]>([
    ['a list of allowed items', ['time', 'fetch'], null],
    ['an empty list', [], null],
    ['a string instead of a list', 'time', 'must be a list of strings'],
    ['a boolean (the old tools_enabled shape)', true, 'must be a list of strings'],
    ['an item that is not a string', ['time', 3], 'item 1 must be a string'],
    ['an item outside the options', ['time', 'shell'], 'item 1 must be one of "time", "fetch", "search"'],
    ['a repeated item', ['time', 'time'], 'item 1 repeats an earlier item'],
    ['an item over 1000 characters', ['x'.repeat(1001)], 'item 0 must be at most 1000 characters', free],
    ['more than 200 items', Array.from({ length: 201 }, (_, i) => `t${i}`), 'must have at most 200 items', free],
  ])('judges %s', (_name, value, expected, def = tools()) => {
    expect(parameterProblem(def, value)).toBe(expected);
  });

  it('bounds the number of items with min and max, and items with pattern', () => {
    const def = tools({ options: undefined, min: 1, max: 2, pattern: '^[a-z]+$' });
    expect(parameterProblem(def, [])).toBe('must have at least 1 items');
    expect(parameterProblem(def, ['a', 'b', 'c'])).toBe('must have at most 2 items');
    expect(parameterProblem(def, ['a', 'B'])).toBe('item 1 must match ^[a-z]+$');
    expect(parameterProblem(def, ['a', 'b'])).toBeNull();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a list default on a string parameter', { name: 'p', type: 'string', default: ['a'] }, /default: a list default needs type list/],
    ['a string default on a list parameter', { name: 'p', type: 'list', default: 'a' }, /default: must be a list of strings/],
    [
      'a default item outside the options',
      { name: 'p', type: 'list', options: ['a'], default: ['a', 'b'] },
      /default\.1: must be one of the options/,
    ],
  ])('the template contract refuses %s', (_name, parameter, expected) => {
    const parsed = templateDocumentSchema.safeParse({ ...base, parameters: [parameter] });
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
    expect(issues.join('\n')).toMatch(new RegExp(`parameters\\.0\\.${expected.source}`));
  });

  it('renders a list as JSON in env, and a list condition is true only when the list has items', () => {
    const on = plan({ model_id: MODEL, tools: ['fetch', 'time'] });
    const app = on.waves.flatMap((w) => w.components).find((c) => c.id === 'api');
    expect(app?.env['TOOLS']).toBe('["fetch","time"]');
    expect(app?.env['LABEL']).toBe('tools=["fetch","time"]');
    expect(on.skipped).toEqual([]);
    expect(on.parameters['tools']).toEqual(['fetch', 'time']);

    const off = plan({ model_id: MODEL, tools: [] });
    expect(off.skipped).toEqual([{ id: 'vector-db', component_ref: 'vdb', reason: 'condition is false' }]);
    expect(off.waves.flatMap((w) => w.components).find((c) => c.id === 'api')?.env['TOOLS']).toBe('[]');
  });

  it('fills the default list and answers 422 details naming the parameter for a bad one', () => {
    expect(plan({ model_id: MODEL }).parameters['tools']).toEqual(['time']);
    const result = resolveTemplate({
      template: makeTemplate(withTools()),
      registry: makeRegistry(),
      parameters: { model_id: MODEL, tools: ['time', 'rm'] },
      context: makeContext(),
    });
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'parameters.tools', message: 'item 1 must be one of "time", "fetch", "search"' },
    ]);
  });

  it('describes a list to the form as a JSON Schema array of unique allowed strings', () => {
    const schema = parametersJsonSchema(makeTemplate(withTools(tools({ min: 0, max: 3 }))));
    expect((schema['properties'] as Record<string, unknown>)['tools']).toEqual({
      type: 'array',
      items: { type: 'string', maxLength: 1000, enum: ['time', 'fetch', 'search'] },
      uniqueItems: true,
      minItems: 0,
      maxItems: 3,
      title: 'tools',
      default: ['time'],
      'x-bud-type': 'list',
    });
  });
});
