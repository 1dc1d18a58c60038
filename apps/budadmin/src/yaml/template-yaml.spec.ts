import { load } from 'js-yaml';
import type { TemplateResponse } from '@bud/contracts';
import { templateYaml } from './template-yaml';

const template = {
  components: [{ env: {}, config: {}, depends_on: [], component_ref: 'vllm-endpoint', id: 'llm' }],
  parameters: [{ max: 8, min: 1, name: 'gpu_count', type: 'integer', required: false }],
  version: '1.0.0',
  category: 'chatbot',
  name: 'Chat',
  id: 'chat-copy',
  description: '',
  complexity: 'simple',
  tags: [],
  is_system: false,
  revision: 3,
  tenant_id: null,
} as unknown as TemplateResponse;

describe('templateYaml', () => {
  it('keeps only the document and writes keys in the order people write them', () => {
    const yaml = templateYaml(template);
    expect(
      yaml
        .split('\n')
        .filter((l) => /^\S/.test(l))
        .map((l) => l.split(':')[0]),
    ).toEqual(['id', 'name', 'description', 'category', 'version', 'complexity', 'tags', 'parameters', 'components']);
    expect(yaml).toContain('  - name: gpu_count\n    type: integer\n    required: false\n    min: 1\n    max: 8\n');
    expect(yaml).toContain('  - id: llm\n    component_ref: vllm-endpoint\n');
  });

  it('round-trips to the same document', () => {
    const document: Record<string, unknown> = { ...template };
    for (const apiOnly of ['is_system', 'revision', 'tenant_id']) delete document[apiOnly];
    expect(load(templateYaml(template))).toEqual(document);
  });
});
