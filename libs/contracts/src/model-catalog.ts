import { z } from 'zod';

/**
 * Typed component contracts and the model catalog (docs/templates.md#typed-contracts): what a component
 * provides and requires, the facts about popular models the resolver checks them with, and what the
 * checks report in a plan.
 */

/** Wire protocols a component output speaks and an input expects. */
export const contractProtocols = ['openai', 'tei-embed', 'tei-rerank', 'qdrant', 'redis', 'openapi', 'http'] as const;
export type ContractProtocol = (typeof contractProtocols)[number];
export const modelKinds = ['llm', 'embedding', 'reranker'] as const;
export type ModelKind = (typeof modelKinds)[number];
export const modelDtypes = ['float32', 'bfloat16', 'float16'] as const;
export type ModelDtype = (typeof modelDtypes)[number];
export const DTYPE_BYTES: Readonly<Record<ModelDtype, number>> = { float32: 4, bfloat16: 2, float16: 2 };

const MAX_CONTRACT_ENTRIES = 20;
const contractNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a name of letters, digits and underscores');
const boundedRecord = <T extends z.ZodType>(value: T) =>
  z
    .record(contractNameSchema, value)
    .refine((r) => Object.keys(r).length <= MAX_CONTRACT_ENTRIES, `must have at most ${MAX_CONTRACT_ENTRIES} entries`);

/** `provides.<output>`: the protocol one of the component's outputs speaks. */
export const providedContractSchema = z
  .object({
    protocol: z.enum(contractProtocols),
    /** `model`: vectors of the embedding dimension of the model the component serves (from the catalog). */
    embedding_dimension: z.literal('model').optional(),
  })
  .strict();
export type ProvidedContract = z.infer<typeof providedContractSchema>;

/** `requires.<input>`: the env input (or top-level config key) that must be wired to an output of this protocol. */
export const requiredContractSchema = z
  .object({
    protocol: z.enum(contractProtocols),
    /** Name of the env input holding the dimension the component creates its vector collection with. */
    embedding_dimension_from: contractNameSchema.optional(),
  })
  .strict();
export type RequiredContract = z.infer<typeof requiredContractSchema>;

export const componentProvidesSchema = boundedRecord(providedContractSchema);
export const componentRequiresSchema = boundedRecord(requiredContractSchema);

/** `serves`: the component serves a model (its `model_id`), so the catalog's facts apply to it. */
export const componentServesSchema = z
  .object({
    kind: z.enum(modelKinds),
    /** Engine argument holding the context window (vLLM `--max-model-len`); absent → the model's maximum. */
    context_window_arg: z
      .string()
      .min(3)
      .max(100)
      .regex(/^--[a-z0-9-]+$/, 'must be a long option like --max-model-len')
      .optional(),
    /** Share of GPU memory the engine may use for weights and KV cache (vLLM `--gpu-memory-utilization`, 0.9 by default). */
    gpu_memory_fraction: z.number().gt(0).max(1).default(1),
  })
  .strict();
export type ComponentServes = z.infer<typeof componentServesSchema>;

const httpsUrl = z
  .url()
  .max(2000)
  .regex(/^https:\/\//, 'must be an https:// URL');

/**
 * `templates/models/<file>.yaml`: one model, every number from its published config (`source.config`,
 * the Hugging Face config.json) except the parameter count (`source.parameters`, the model card).
 */
export const modelCatalogEntrySchema = z
  .object({
    id: z
      .string()
      .min(3)
      .max(300)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a Hugging Face model id like org/name'),
    kind: z.enum(modelKinds),
    /** Total parameters (weights), e.g. 8030261248. */
    parameters: z.number().int().min(1).max(10_000_000_000_000),
    /** `num_hidden_layers`. */
    layers: z.number().int().min(1).max(1000),
    /** `num_key_value_heads` (grouped-query attention); `num_attention_heads` when the config has none. */
    kv_heads: z.number().int().min(1).max(1024),
    /** `head_dim`, or `hidden_size / num_attention_heads`. */
    head_dim: z.number().int().min(1).max(4096),
    /** `max_position_embeddings`: the longest context the model takes. */
    max_context: z.number().int().min(1).max(100_000_000),
    /** `hidden_size`: the length of the vectors an embedding model returns. */
    embedding_dimension: z.number().int().min(1).max(65_536),
    /** `torch_dtype`: the dtype the weights are published and served in. */
    dtype: z.enum(modelDtypes),
    source: z.object({ config: httpsUrl, parameters: httpsUrl }).strict(),
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!/^https:\/\/huggingface\.co\/.+\/config\.json$/.test(m.source.config))
      ctx.addIssue({ code: 'custom', path: ['source', 'config'], message: "must be the model's config.json on huggingface.co" });
  });
export type ModelCatalogEntry = z.infer<typeof modelCatalogEntrySchema>;

/**
 * `config.model_size` of a template's model component: the facts of a model outside the catalog, given
 * by the user so the checks can run (an LLM needs parameters, layers, kv_heads, head_dim and max_context;
 * an embedding model its embedding_dimension). Values may come from `{{ parameters.* }}`.
 */
export const modelSizeSchema = z
  .object({
    parameters: modelCatalogEntrySchema.shape.parameters.optional(),
    layers: modelCatalogEntrySchema.shape.layers.optional(),
    kv_heads: modelCatalogEntrySchema.shape.kv_heads.optional(),
    head_dim: modelCatalogEntrySchema.shape.head_dim.optional(),
    max_context: modelCatalogEntrySchema.shape.max_context.optional(),
    embedding_dimension: modelCatalogEntrySchema.shape.embedding_dimension.optional(),
    dtype: z.enum(modelDtypes).default('bfloat16'),
  })
  .strict();
export type ModelSize = z.infer<typeof modelSizeSchema>;

export const contractCheckKinds = ['protocol', 'embedding_dimension', 'context_window', 'gpu_memory'] as const;
export type ContractCheckKind = (typeof contractCheckKinds)[number];

/** A contract check that passed, with its numbers (failed checks are 422 errors naming the parameter to change). */
export const planCheckSchema = z.object({
  component: z.string(),
  check: z.enum(contractCheckKinds),
  message: z.string(),
});
export type PlanCheck = z.infer<typeof planCheckSchema>;

/** A check that could not run (a model outside the catalog, a GPU type without a known memory size, ...). */
export const planWarningSchema = z.object({
  component: z.string(),
  check: z.enum(contractCheckKinds),
  path: z.string(),
  message: z.string(),
});
export type PlanWarning = z.infer<typeof planWarningSchema>;
