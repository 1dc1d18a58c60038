import type {
  ComponentDefinition,
  ContractCheckKind,
  ModelCatalogEntry,
  ModelDtype,
  PlanCheck,
  PlannedComponent,
  PlanWarning,
  ProvidedContract,
  RequiredContract,
} from '@bud/contracts';
import { DTYPE_BYTES, MAX_GPUS_PER_REPLICA, modelSizeSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { collectReferences } from '../expressions';
import type { AnalyzedComponent } from './analyze-template';
import { GB, GPU_MEMORY_GB, gpuMemoryBytes } from './gpu-memory';

/** What the checks read of a model: a catalog entry, or the size a template gives for a model outside it. */
type ModelFacts = Omit<ModelCatalogEntry, 'kind' | 'source' | 'notes'>;
const LLM_FACTS = ['parameters', 'layers', 'kv_heads', 'head_dim', 'max_context'] as const;

/** Catalog entries by lower-cased model id (Hugging Face ids are case-insensitive). */
export type ModelCatalog = ReadonlyMap<string, ModelCatalogEntry>;

export function modelCatalog(entries: Iterable<ModelCatalogEntry>): ModelCatalog {
  return new Map([...entries].map((m) => [m.id.toLowerCase(), m]));
}

export interface CheckedComponent {
  analyzed: AnalyzedComponent & { definition: ComponentDefinition };
  planned: PlannedComponent;
  /** Where the component's fields are named in errors; `components[<index>]` unless given (a scale names `resources`). */
  basePath?: string;
}

const basePathOf = (entry: CheckedComponent): string => entry.basePath ?? `components[${entry.analyzed.index}]`;

export interface ContractInput {
  components: readonly CheckedComponent[];
  models: ModelCatalog;
  /** GPU types the cluster has: suggested first. */
  clusterGpuTypes: readonly string[];
}

export interface ContractReport {
  errors: ErrorDetail[];
  checks: PlanCheck[];
  warnings: PlanWarning[];
}

type Entry = CheckedComponent;

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});
// Rows stored before contracts existed have no provides/requires.
const providesOf = (d: ComponentDefinition): Readonly<Record<string, ProvidedContract>> =>
  (d as Partial<ComponentDefinition>).provides ?? EMPTY;
const requiresOf = (d: ComponentDefinition): Readonly<Record<string, RequiredContract>> =>
  (d as Partial<ComponentDefinition>).requires ?? EMPTY;

const gb = (bytes: number): string => `${(bytes / GB).toFixed(1)} GB`;

/** `parameters.<name>` when the template field is driven by exactly one parameter, else the field's own path. */
function pathToChange(value: unknown, fieldPath: string): { path: string; parameter: string | null } {
  if (value === undefined) return { path: fieldPath, parameter: null };
  const names = new Set<string>();
  for (const ref of collectReferences(value, []).references)
    if (ref.segments[0] === 'parameters' && ref.segments[1] !== undefined) names.add(ref.segments[1]);
  if (names.size !== 1) return { path: fieldPath, parameter: null };
  const [name] = names;
  return { path: `parameters.${name}`, parameter: name };
}

const describe = (target: { parameter: string | null; path: string }): string => target.parameter ?? target.path;

function modelOf(entry: Entry): { id: string; path: string; raw: unknown } | null {
  const { planned, analyzed } = entry;
  if (planned.job.spec.kind !== 'model') return null;
  const base = basePathOf(entry);
  return analyzed.spec.model_id !== undefined
    ? { id: planned.job.spec.model_id, path: `${base}.model_id`, raw: analyzed.spec.model_id }
    : { id: planned.job.spec.model_id, path: `${base}.config.model_id`, raw: analyzed.spec.config['model_id'] };
}

/** The value after `--flag` (or in `--flag=value`) among engine args; the last one when repeated, as vLLM's argparse reads them. */
function engineArg(args: readonly string[] | undefined, flag: string): string | undefined {
  if (!args) return undefined;
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) value = args[i + 1];
    else if (args[i].startsWith(`${flag}=`)) value = args[i].slice(flag.length + 1);
  }
  return value;
}

/** vLLM's `--dtype` as the dtype weights (and, by default, the KV cache) are held in; `auto` and unknown values keep the model's. */
function servedDtype(text: string | undefined): ModelDtype | undefined {
  if (text === 'half' || text === 'float16') return 'float16';
  if (text === 'bfloat16') return 'bfloat16';
  if (text === 'float' || text === 'float32') return 'float32';
  return undefined;
}

const positiveInteger = (text: string | undefined): number | null =>
  text !== undefined && /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null;

/** Components an input's template value reads outputs of: `components.<id>.outputs.<name>`. */
function wiredOutputs(value: unknown): Array<{ component: string; output: string }> {
  if (value === undefined) return [];
  return collectReferences(value, [])
    .references.filter((r) => r.segments[0] === 'components' && r.segments[2] === 'outputs' && r.segments.length === 4)
    .map((r) => ({ component: r.segments[1], output: r.segments[3] }));
}

class ContractChecker {
  readonly report: ContractReport = { errors: [], checks: [], warnings: [] };
  /** Components whose invalid model_size was reported (a provider may be checked for several consumers). */
  private readonly reported = new Set<string>();
  private readonly byId: ReadonlyMap<string, Entry>;

  constructor(private readonly input: ContractInput) {
    this.byId = new Map(input.components.map((c) => [c.planned.id, c]));
  }

  run(): ContractReport {
    for (const entry of this.input.components) {
      this.wiring(entry);
      if (entry.analyzed.definition.serves?.kind === 'llm') this.llm(entry);
    }
    return this.report;
  }

  private pass(entry: Entry, check: ContractCheckKind, message: string): void {
    this.report.checks.push({ component: entry.planned.id, check, message });
  }

  private warn(entry: Entry, check: ContractCheckKind, path: string, message: string): void {
    this.report.warnings.push({ component: entry.planned.id, check, path, message });
  }

  private model(entry: Entry, check: ContractCheckKind): { entry: ModelFacts; path: string; raw: unknown } | null {
    const model = modelOf(entry);
    if (!model) return null;
    const found = this.input.models.get(model.id.toLowerCase());
    if (found) return { entry: found, path: model.path, raw: model.raw };
    const given = this.givenSize(entry, model.id, check);
    if (given === undefined)
      this.warn(
        entry,
        check,
        model.path,
        `model ${model.id} is not in the model catalog (templates/models) and config.model_size does not give its size: not checked`,
      );
    return given ? { entry: given, path: model.path, raw: model.raw } : null;
  }

  /** `config.model_size` for a model outside the catalog: undefined when not given, null when invalid (errors pushed). */
  private givenSize(entry: Entry, id: string, check: ContractCheckKind): ModelFacts | null | undefined {
    const value = entry.planned.config['model_size'];
    if (value === undefined) return undefined;
    const base = `${basePathOf(entry)}.config.model_size`;
    const parsed = modelSizeSchema.safeParse(value);
    if (!parsed.success) {
      if (!this.reported.has(entry.planned.id))
        for (const issue of parsed.error.issues)
          this.report.errors.push({ path: [base, ...issue.path.map(String)].join('.'), message: issue.message });
      this.reported.add(entry.planned.id);
      return null;
    }
    const size = parsed.data;
    const needed = check === 'embedding_dimension' ? (['embedding_dimension'] as const) : LLM_FACTS;
    const missing = needed.filter((field) => size[field] === undefined);
    if (missing.length > 0) {
      this.report.errors.push({ path: base, message: `must give ${missing.join(', ')} for ${id}, a model outside the catalog` });
      return null;
    }
    return {
      id,
      dtype: size.dtype,
      parameters: size.parameters ?? 0,
      layers: size.layers ?? 0,
      kv_heads: size.kv_heads ?? 0,
      head_dim: size.head_dim ?? 0,
      max_context: size.max_context ?? 0,
      embedding_dimension: size.embedding_dimension ?? 0,
    };
  }

  /** Protocol and embedding-dimension checks of each required input wired to another component's output. */
  private wiring(consumer: Entry): void {
    const { analyzed } = consumer;
    for (const [input, required] of Object.entries(requiresOf(analyzed.definition))) {
      const raw = analyzed.spec.env[input] ?? analyzed.spec.config[input] ?? analyzed.definition.default_env[input];
      const inputPath = `${basePathOf(consumer)}.${input in analyzed.spec.config ? 'config' : 'env'}.${input}`;
      for (const wire of wiredOutputs(raw)) {
        const provider = this.byId.get(wire.component);
        if (!provider) continue; // a skipped component (condition false): nothing is wired
        const provided = providesOf(provider.analyzed.definition)[wire.output] as ProvidedContract | undefined;
        const what = `${input} ← ${wire.component}.${wire.output}`;
        if (!provided) {
          this.warn(
            consumer,
            'protocol',
            inputPath,
            `${what}: ${provider.planned.component_ref} declares no protocol for output ${wire.output}: not checked`,
          );
          continue;
        }
        if (provided.protocol !== required.protocol) {
          this.report.errors.push({
            path: inputPath,
            message: `needs a ${required.protocol} endpoint but ${wire.component}.${wire.output} (${provider.planned.component_ref}) speaks ${provided.protocol}`,
          });
          continue;
        }
        this.pass(consumer, 'protocol', `${what} speaks ${required.protocol}`);
        if (required.embedding_dimension_from && provided.embedding_dimension === 'model')
          this.dimension(consumer, provider, required.embedding_dimension_from);
      }
    }
  }

  private dimension(consumer: Entry, provider: Entry, dimensionInput: string): void {
    const { analyzed, planned } = consumer;
    const dimensionPath = `${basePathOf(consumer)}.env.${dimensionInput}`;
    const text = planned.env[dimensionInput] as string | undefined;
    if (text === undefined) {
      this.warn(consumer, 'embedding_dimension', dimensionPath, `${dimensionInput} is not set: the collection's dimension is not checked`);
      return;
    }
    const collection = positiveInteger(text);
    if (collection === null) {
      this.report.errors.push({
        ...pathToChange(analyzed.spec.env[dimensionInput], dimensionPath),
        message: 'must be a positive integer (the embedding dimension)',
      });
      return;
    }
    const model = this.model(provider, 'embedding_dimension');
    if (!model) return;
    const produced = model.entry.embedding_dimension;
    if (produced === collection) {
      this.pass(
        consumer,
        'embedding_dimension',
        `${model.entry.id} returns ${produced}-dimensional vectors; the collection is created with ${collection}`,
      );
      return;
    }
    const dimensionTarget = pathToChange(analyzed.spec.env[dimensionInput], dimensionPath);
    const modelTarget = pathToChange(model.raw, model.path);
    const target = dimensionTarget.parameter ? dimensionTarget : modelTarget.parameter ? modelTarget : dimensionTarget;
    this.report.errors.push({
      path: target.path,
      message:
        `${model.entry.id} (${describe(modelTarget)}) returns ${produced}-dimensional vectors but the collection is created with ${collection} ` +
        `(${describe(dimensionTarget)}); set ${describe(dimensionTarget)} to ${produced} or choose an embedding model of dimension ${collection}`,
    });
  }

  /** Context window ≤ the model's maximum; weights + KV cache for that window ≤ GPU memory × GPUs. */
  private llm(entry: Entry): void {
    const { analyzed, planned } = entry;
    const serves = analyzed.definition.serves;
    const model = this.model(entry, 'gpu_memory');
    if (!serves || !model || planned.job.spec.kind !== 'model') return;
    const base = basePathOf(entry);
    const m = model.entry;
    let context = m.max_context;
    if (serves.context_window_arg) {
      const argsTarget = pathToChange(analyzed.spec.config['engine_args'], `${base}.config.engine_args`);
      const text = engineArg(planned.job.spec.engine_args, serves.context_window_arg);
      if (text !== undefined) {
        const value = positiveInteger(text);
        if (value === null) {
          this.report.errors.push({ path: argsTarget.path, message: `${serves.context_window_arg} must be a positive integer (tokens)` });
          return;
        }
        if (value > m.max_context) {
          this.report.errors.push({
            path: argsTarget.path,
            message: `a context window of ${value} tokens exceeds ${m.id}'s maximum of ${m.max_context}; set ${describe(argsTarget)} to at most ${m.max_context}`,
          });
          return;
        }
        context = value;
        this.pass(entry, 'context_window', `${value} tokens ≤ ${m.id}'s maximum of ${m.max_context}`);
      }
    }
    this.memory(entry, m, context, serves.gpu_memory_fraction);
  }

  private memory(entry: Entry, m: ModelFacts, context: number, fraction: number): void {
    const { analyzed, planned } = entry;
    const base = basePathOf(entry);
    const count = planned.resources.gpu_count;
    const gpuType = planned.resources.gpu_type;
    if (count === 0 || !gpuType) {
      this.warn(entry, 'gpu_memory', `${base}.gpu_count`, `${m.id} is planned without GPUs: GPU memory is not checked`);
      return;
    }
    const perGpu = gpuMemoryBytes(gpuType);
    if (perGpu === undefined) {
      this.warn(
        entry,
        'gpu_memory',
        `${base}.gpu_type`,
        `the memory of a ${gpuType} is not known (${[...GPU_MEMORY_GB.keys()].join(', ')} are): not checked`,
      );
      return;
    }
    const engineArgs = planned.job.spec.kind === 'model' ? planned.job.spec.engine_args : undefined;
    const dtype = servedDtype(engineArg(engineArgs, '--dtype')) ?? m.dtype;
    const bytes = DTYPE_BYTES[dtype];
    const weights = m.parameters * bytes;
    const kvCache = 2 * m.layers * m.kv_heads * m.head_dim * bytes * context;
    const need = weights + kvCache;
    const usable = (gpus: number, memory: number): number => gpus * memory * fraction;
    const share = fraction < 1 ? ` at ${Math.round(fraction * 100)}% use` : '';
    const needs = `${m.id} needs ${gb(need)} (weights ${gb(weights)} in ${dtype} + KV cache ${gb(kvCache)} for ${context} tokens)`;
    if (need <= usable(count, perGpu)) {
      this.pass(entry, 'gpu_memory', `${needs}; ${count} × ${gpuType} give ${gb(usable(count, perGpu))}${share}`);
      return;
    }
    // Tensor parallelism splits the KV heads across GPUs, so only counts that divide them evenly (or multiples) are offered.
    const splits = (n: number): boolean => m.kv_heads % n === 0 || n % m.kv_heads === 0;
    let fitCount: number | null = null;
    for (let n = count + 1; n <= MAX_GPUS_PER_REPLICA && fitCount === null; n++) if (splits(n) && need <= usable(n, perGpu)) fitCount = n;
    const clusterTypes = new Set(this.input.clusterGpuTypes);
    const fitTypes = [...GPU_MEMORY_GB.keys()]
      .filter((t) => t !== gpuType && need <= usable(count, GPU_MEMORY_GB.get(t)!.gb * GB))
      .sort((a, b) => Number(clusterTypes.has(b)) - Number(clusterTypes.has(a)) || GPU_MEMORY_GB.get(a)!.gb - GPU_MEMORY_GB.get(b)!.gb);
    const countTarget = pathToChange(analyzed.spec.gpu_count, `${base}.gpu_count`);
    const typeTarget = pathToChange(analyzed.spec.gpu_type, `${base}.gpu_type`);
    const advice: string[] = [];
    if (fitCount !== null) advice.push(`set ${describe(countTarget)} to ${fitCount}`);
    if (fitTypes.length > 0) advice.push(`set ${describe(typeTarget)} to ${fitTypes.slice(0, 3).join(' or ')}`);
    // Name what the user can change: a parameter first, the count before the type.
    const target =
      fitCount !== null && countTarget.parameter ? countTarget : fitTypes.length > 0 && typeTarget.parameter ? typeTarget : countTarget;
    this.report.errors.push({
      path: target.path,
      message:
        `${needs} but ${count} × ${gpuType} give ${gb(usable(count, perGpu))}${share}; ` +
        (advice.length > 0 ? advice.join(', or ') : 'no GPU count or known GPU type fits; choose a smaller model or context window'),
    });
  }
}

/**
 * Typed contract checks over a resolved plan (docs/templates.md#typed-contracts): protocol of each wired
 * input, embedding dimension ↔ vector collection, context window ↔ the model's maximum, and model weights +
 * KV cache ↔ GPU memory × GPU count. Pure; failures are errors naming the parameter to change.
 */
export function checkContracts(input: ContractInput): ContractReport {
  return new ContractChecker(input).run();
}
