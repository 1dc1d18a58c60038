import { componentDefinitionSchema, componentListQuerySchema } from './component';
import { templateDocumentSchema, templateListQuerySchema } from './template';

const template = {
  id: 'my-rag',
  name: 'My RAG',
  category: 'rag',
  version: '1.0.0',
  parameters: [{ name: 'model_id', type: 'model_ref', required: true }],
  components: [{ id: 'llm', component_ref: 'vllm-endpoint', model_id: '{{ parameters.model_id }}' }],
};

function issues(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return result.success ? [] : (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('template and component contracts', () => {
  it('accepts a minimal template and fills defaults', () => {
    const parsed = templateDocumentSchema.parse(template);
    expect(parsed).toMatchObject({
      description: '',
      complexity: 'simple',
      tags: [],
      components: [{ depends_on: [], config: {}, env: {} }],
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown top-level field', { ...template, colour: 'red' }, /Unrecognized key/],
    [
      'a component id that is not a DNS label',
      { ...template, components: [{ id: 'LLM_1', component_ref: 'vllm-endpoint' }] },
      /components\.0\.id: must be a DNS label/,
    ],
    [
      'a duplicate component id',
      { ...template, components: [template.components[0], template.components[0]] },
      /components\.1\.id: duplicates component 'llm'/,
    ],
    [
      'an enum without options',
      { ...template, parameters: [{ name: 'size', type: 'enum' }] },
      /parameters\.0\.options: is required for an enum parameter/,
    ],
    [
      'a secret with a default',
      { ...template, parameters: [{ name: 'key', type: 'secret', default: 'x' }] },
      /a secret parameter cannot have a default/,
    ],
    ['a backtracking pattern', { ...template, parameters: [{ name: 'p', type: 'string', pattern: '(a+)+$' }] }, /nested quantifiers/],
    [
      'a GPU count that is neither a number nor an expression',
      { ...template, components: [{ id: 'llm', component_ref: 'x1', gpu_count: 'two' }] },
      /gpu_count/,
    ],
    ['a version that is not semver', { ...template, version: 'v1' }, /version: must be a semantic version/],
  ])('refuses %s', (_name, document, expected) => {
    expect(issues(templateDocumentSchema.safeParse(document)).join('\n')).toMatch(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a helm component without its chart',
      { deployment_type: 'helm', helm_repo: 'https://charts.example.com' },
      /helm_chart: is required for a helm component/,
    ],
    [
      'a docker component with a model engine',
      { deployment_type: 'docker', image: 'redis', image_tag: '7', model_engine: 'vllm' },
      /model_engine: does not apply/,
    ],
    [
      'a chart repository over plain http',
      { deployment_type: 'helm', helm_repo: 'http://charts.example.com', helm_chart: 'x' },
      /helm_repo: must be an https/,
    ],
    ['GPUs without a GPU type', { deployment_type: 'model', model_engine: 'vllm', default_gpu_count: 1 }, /default_gpu_type: is required/],
  ])('refuses a component with %s', (_name, fields, expected) => {
    const component = { id: 'thing', name: 'Thing', category: 'tool', version: '1.0.0', ...fields };
    expect(issues(componentDefinitionSchema.safeParse(component)).join('\n')).toMatch(expected);
  });

  it('parses list queries and refuses invalid filters instead of ignoring them', () => {
    expect(templateListQuerySchema.parse({ is_system: 'true', page: '2' })).toEqual({ is_system: true, page: 2, page_size: 20 });
    expect(componentListQuerySchema.safeParse({ category: 'database' }).success).toBe(false);
    expect(componentListQuerySchema.parse({ category: 'vector_db', tag: 'helm', q: 'qd' })).toMatchObject({
      category: 'vector_db',
      page: 1,
    });
  });
});
