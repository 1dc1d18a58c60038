import type { JsonSchema } from '../api/client';
import { fieldProblem, formFields, formProblems, parametersFrom } from './schema-form';

// The shapes GET /templates/{id}/schema returns (apps/budusecases/src/domain/parameter-schema.ts).
const schema: JsonSchema = {
  required: ['model_id', 'name'],
  properties: {
    model_id: { type: 'string', maxLength: 300, pattern: '^[A-Za-z0-9][A-Za-z0-9._\\-/]*$', title: 'LLM Model', 'x-bud-type': 'model_ref' },
    name: { type: 'string', maxLength: 20, minLength: 3, pattern: '^[a-z]+$', title: 'Name', 'x-bud-type': 'string' },
    top_k: { type: 'integer', minimum: 1, maximum: 50, default: 5, title: 'Top K', 'x-bud-type': 'integer' },
    temperature: { type: 'number', minimum: 0, maximum: 2, title: 'Temperature', 'x-bud-type': 'number' },
    streaming: { type: 'boolean', default: true, title: 'Streaming', 'x-bud-type': 'boolean' },
    size: { type: 'string', enum: ['10Gi', '50Gi'], default: '50Gi', title: 'Size', 'x-bud-type': 'enum' },
    api_key: { type: 'string', format: 'password', writeOnly: true, maxLength: 65536, title: 'API key', 'x-bud-type': 'secret' },
    cluster: { type: 'string', format: 'uuid', title: 'Cluster', 'x-bud-type': 'cluster_ref' },
  },
};
const fields = formFields(schema);
const field = (name: string) => fields.find((f) => f.name === name)!;

describe('formFields', () => {
  it('makes one field per parameter, of the kind its type needs', () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['model_id', 'text'],
      ['name', 'text'],
      ['top_k', 'integer'],
      ['temperature', 'number'],
      ['streaming', 'boolean'],
      ['size', 'select'],
      ['api_key', 'password'],
      ['cluster', 'text'],
    ]);
  });

  it('carries labels, required flags, defaults and options', () => {
    expect(field('model_id')).toMatchObject({ label: 'LLM Model', required: true });
    expect(field('top_k')).toMatchObject({ required: false, defaultValue: 5 });
    expect(field('size').options).toEqual(['10Gi', '50Gi']);
  });
});

describe('fieldProblem words problems as the server does', () => {
  it.each([
    ['model_id', undefined, 'is required'],
    ['model_id', 'not a model!', 'must be a model id like meta-llama/Llama-3.1-8B-Instruct'],
    ['model_id', 'meta-llama/Llama-3.1-8B-Instruct', null],
    ['name', 'ab', 'must be at least 3 characters'],
    ['name', 'a'.repeat(21), 'must be at most 20 characters'],
    ['name', 'Abc', 'must match ^[a-z]+$'],
    ['name', 'abc', null],
    ['top_k', 0, 'must be at least 1'],
    ['top_k', 51, 'must be at most 50'],
    ['top_k', 2.5, 'must be an integer'],
    ['top_k', undefined, null],
    ['temperature', 2.5, 'must be at most 2'],
    ['temperature', 0.7, null],
    ['streaming', false, null],
    ['size', '20Gi', 'must be one of "10Gi", "50Gi"'],
    ['size', '10Gi', null],
    ['cluster', 'local', 'must be a cluster id (UUID)'],
    ['cluster', '3c17bab8-c040-40dd-809b-45f12bb76bbc', null],
    ['api_key', 's3cret', null],
  ])('%s = %j → %s', (name, value, problem) => {
    expect(fieldProblem(field(name), value)).toBe(problem);
  });
});

describe('what the form sends', () => {
  it('leaves blank fields out so the template defaults apply', () => {
    expect(parametersFrom(fields, { model_id: 'm/x', name: 'abc', top_k: undefined, size: '', streaming: false })).toEqual({
      model_id: 'm/x',
      name: 'abc',
      streaming: false,
    });
  });

  it('collects every problem by field name', () => {
    expect(formProblems(fields, { name: 'ab', top_k: 99 })).toEqual({
      model_id: 'is required',
      name: 'must be at least 3 characters',
      top_k: 'must be at most 50',
    });
  });
});
