/** A valid user template: components[2] is the helm vector DB, components[3] reads the others' outputs. */
export function makeTemplate(id: string, edit: (t: any) => void = () => undefined): any {
  const template = {
    id,
    name: 'My RAG',
    category: 'rag',
    version: '1.0.0',
    tags: ['mine'],
    parameters: [
      { name: 'model_id', type: 'model_ref', required: true },
      { name: 'size', type: 'enum', options: ['10Gi', '50Gi'], default: '10Gi' },
    ],
    components: [
      { id: 'embedding', component_ref: 'tei-embedding' },
      { id: 'llm', component_ref: 'vllm-endpoint', model_id: '{{ parameters.model_id }}', gpu_count: 1 },
      { id: 'vector-db', component_ref: 'qdrant', config: { persistence: { size: '{{ parameters.size }}' } } },
      {
        id: 'orchestrator',
        component_ref: 'rag-orchestrator',
        env: {
          VECTOR_DB_URL: "{{ components['vector-db'].outputs.url }}",
          EMBEDDING_URL: '{{ components.embedding.outputs.url }}',
          LLM_URL: "{{ components['llm'].outputs.url }}",
        },
      },
    ],
  };
  edit(template);
  return template;
}

/** A docker component an admin may register. */
export function makeComponent(id: string, edit: (c: any) => void = () => undefined): any {
  const component = {
    id,
    name: 'Test cache',
    category: 'cache',
    version: '1.0.0',
    deployment_type: 'docker',
    image: 'valkey/valkey',
    image_tag: '8.0',
    ports: [{ name: 'redis', port: 6379 }],
    outputs: { url: 'redis://{{ host }}:{{ port }}' },
    tags: ['cache', 'test-only'],
  };
  edit(component);
  return component;
}
