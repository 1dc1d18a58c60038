import type { ComponentDefinition, ComponentDefinitionInput, TemplateDocument, TemplateDocumentInput } from '@bud/contracts';
import { componentDefinitionSchema, templateDocumentSchema } from '@bud/contracts';
import type { Registry, ResolveContext } from '../../src/domain/resolver/types';

/** Builders for resolver specs: a small registry, a context and templates with overrides. */
export function makeComponent(overrides: Partial<ComponentDefinitionInput> & Pick<ComponentDefinitionInput, 'id'>): ComponentDefinition {
  return componentDefinitionSchema.parse({
    name: overrides.id,
    category: 'orchestrator',
    version: '1.0.0',
    deployment_type: 'docker',
    image: `example/${overrides.id}`,
    image_tag: '1.0',
    ports: [{ name: 'http', port: 8080 }],
    outputs: { url: '{{ url }}' },
    ...overrides,
  });
}

export function makeRegistry(extra: ComponentDefinition[] = []): Registry {
  const components = [
    makeComponent({
      id: 'vdb',
      category: 'vector_db',
      deployment_type: 'helm',
      image: undefined,
      image_tag: undefined,
      helm_repo: 'https://qdrant.github.io/qdrant-helm',
      helm_chart: 'qdrant',
      helm_version: '1.12.4',
      default_values: { persistence: { size: '10Gi', storageClass: 'fast' }, replicaCount: 1 },
      outputs: { url: 'http://{{ service }}-qdrant.{{ namespace }}.svc:6333' },
    }),
    makeComponent({
      id: 'llm-engine',
      category: 'llm',
      deployment_type: 'model',
      image: undefined,
      image_tag: undefined,
      model_engine: 'vllm',
      default_gpu_type: 'A100-80GB',
      default_gpu_count: 1,
      default_resources: { cpu_request: '4', memory_request: '16Gi' },
      required_inputs: ['model_id'],
      outputs: { url: '{{ url }}', openai_base_url: '{{ url }}/v1' },
    }),
    makeComponent({ id: 'app', default_env: { LOG_LEVEL: 'info' }, default_resources: { cpu_request: '500m', memory_request: '512Mi' } }),
    ...extra,
  ];
  return new Map(components.map((c) => [c.id, c]));
}

export function makeContext(overrides: Partial<ResolveContext['cluster']> = {}): ResolveContext {
  return {
    deployment: { id: '7b1f0c8e-1234-4000-8000-00000000abcd', name: 'demo', namespace: 'uc-7b1f0c8e1234' },
    cluster: {
      id: '11111111-2222-4333-8444-555555555555',
      name: 'local',
      type: 'simulated',
      ingress_url: null,
      price_table: { gpu_hour: { 'A100-80GB': 2.5, 'H100-80GB': 4 }, vcpu_hour: 0.04, memory_gib_hour: 0.005, storage_gib_month: 0.1 },
      gpu_inventory: { 'A100-80GB': 8, 'H100-80GB': 8 },
      gpu_free: { 'A100-80GB': 8, 'H100-80GB': 8 },
      ...overrides,
    },
  };
}

/** vdb + llm + app wired by output references; override any part. */
export function makeTemplate(overrides: Partial<TemplateDocumentInput> = {}): TemplateDocument {
  return templateDocumentSchema.parse({
    id: 'test-rag',
    name: 'Test RAG',
    category: 'rag',
    version: '1.0.0',
    parameters: [
      { name: 'model_id', type: 'model_ref', required: true },
      { name: 'size', type: 'enum', options: ['10Gi', '50Gi'], default: '50Gi' },
      { name: 'gpus', type: 'integer', default: 2, min: 1, max: 4 },
      { name: 'api_key', type: 'secret' },
    ],
    components: [
      { id: 'vector-db', component_ref: 'vdb', config: { persistence: { size: '{{ parameters.size }}' } } },
      { id: 'llm', component_ref: 'llm-engine', model_id: '{{ parameters.model_id }}', gpu_count: '{{ parameters.gpus }}' },
      {
        id: 'api',
        component_ref: 'app',
        env: {
          DB: "{{ components['vector-db'].outputs.url }}",
          LLM: '{{ components.llm.outputs.openai_base_url }}/chat',
          NAME: '{{ deployment.name }}',
        },
      },
    ],
    ...overrides,
  });
}
