import type { TemplateDocumentInput } from '@bud/contracts';

/** A RAG stack over the seed components, every number the checks read a parameter. */
export function contractRagTemplate(
  overrides: { llmEnv?: string; gpuCount?: string | number; gpuType?: string; modelSize?: Record<string, unknown> } = {},
): TemplateDocumentInput {
  return {
    id: 'contract-rag',
    name: 'Contract RAG',
    category: 'rag',
    version: '1.0.0',
    parameters: [
      { name: 'model_id', type: 'model_ref', required: true },
      { name: 'llm_gpu_count', type: 'integer', default: 1, min: 1, max: 8 },
      { name: 'gpu_type', type: 'string', default: 'A100-80GB' },
      { name: 'context_window', type: 'integer', default: 8192, min: 1 },
      { name: 'embedding_model', type: 'string', default: 'BAAI/bge-base-en-v1.5' },
      { name: 'embedding_dimension', type: 'integer', default: 768, min: 1 },
      { name: 'model_parameters', type: 'integer', default: 30_000_000_000, min: 1 },
    ],
    components: [
      { id: 'vector-db', component_ref: 'qdrant' },
      { id: 'embedding', component_ref: 'tei-embedding', config: { model_id: '{{ parameters.embedding_model }}' } },
      {
        id: 'llm',
        component_ref: 'vllm-endpoint',
        model_id: '{{ parameters.model_id }}',
        gpu_count: overrides.gpuCount ?? '{{ parameters.llm_gpu_count }}',
        gpu_type: overrides.gpuType ?? '{{ parameters.gpu_type }}',
        config: {
          engine_args: ['--max-model-len={{ parameters.context_window }}'],
          ...(overrides.modelSize ? { model_size: overrides.modelSize } : {}),
        },
      },
      {
        id: 'orchestrator',
        component_ref: 'rag-orchestrator',
        env: {
          VECTOR_DB_URL: "{{ components['vector-db'].outputs.url }}",
          EMBEDDING_URL: '{{ components.embedding.outputs.url }}',
          LLM_URL: overrides.llmEnv ?? '{{ components.llm.outputs.openai_base_url }}',
          LLM_MODEL: '{{ parameters.model_id }}',
          EMBEDDING_DIM: '{{ parameters.embedding_dimension }}',
        },
      },
      { id: 'chat-ui', component_ref: 'chat-ui', env: { OPENAI_API_BASE_URL: '{{ components.orchestrator.outputs.url }}/v1' } },
    ],
  };
}
