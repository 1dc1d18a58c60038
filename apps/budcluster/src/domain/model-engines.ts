import type { ContainerSpec, JobResources, ModelEngine, ModelSpec } from '@bud/contracts';

/**
 * Image tags are pinned (never `latest`) so a redeploy runs the engine that was tested; bump them here.
 * vLLM and TensorRT-LLM tags are published release tags on Docker Hub / NGC; TEI uses its minor-version
 * tag family, which is how Hugging Face publishes per-GPU-architecture builds.
 */
export const ENGINE_IMAGES = {
  vllm: 'vllm/vllm-openai:v0.12.0',
  'tensorrt-llm': 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
  tei: 'ghcr.io/huggingface/text-embeddings-inference',
  latentbud: 'ghcr.io/budecosystem/latentbud:v0.1.0',
} as const satisfies Record<ModelEngine, string>;

export const TEI_VERSION = '1.8';

/** Where weights are cached; backed by a PVC when the job requests storage so restarts skip the download. */
export const MODEL_CACHE_PATH = '/models';

/**
 * TEI ships one image per CUDA compute capability (its kernels are compiled for exactly one); the
 * untagged-prefix image targets Ampere 80 (A100/A30). Unknown GPUs get that default.
 */
const TEI_ARCH_PREFIXES: ReadonlyArray<[RegExp, string]> = [
  [/H100|H200|H800|GH200|HOPPER/i, 'hopper-'],
  [/L4\b|L40|RTX.?40|ADA/i, '89-'],
  [/A10\b|A10G|A40|A16|A2\b|RTX.?30|RTX.?A[456]000/i, '86-'],
  [/T4\b|TURING|RTX.?20/i, 'turing-'],
];

export function teiImage(resources: Pick<JobResources, 'gpu_count' | 'gpu_type'>): string {
  if (resources.gpu_count === 0) return `${ENGINE_IMAGES.tei}:cpu-${TEI_VERSION}`;
  const prefix = TEI_ARCH_PREFIXES.find(([pattern]) => pattern.test(resources.gpu_type ?? ''))?.[1] ?? '';
  return `${ENGINE_IMAGES.tei}:${prefix}${TEI_VERSION}`;
}

function cacheVolumes(resources: JobResources): ContainerSpec['volumes'] {
  return resources.storage ? [{ name: 'model-cache', mount_path: MODEL_CACHE_PATH, size: resources.storage }] : undefined;
}

/** The engine's own container for a model spec: real public image, its CLI, its port and health path. */
export function modelToContainer(spec: ModelSpec, resources: JobResources): ContainerSpec {
  const engineArgs = spec.engine_args ?? [];
  const volumes = cacheVolumes(resources);
  const tensorParallel = String(Math.max(1, resources.gpu_count));
  const hfEnv = { HF_HOME: `${MODEL_CACHE_PATH}/huggingface` };
  const base = { kind: 'container' as const, health_check_path: '/health', ...(volumes ? { volumes } : {}) };

  switch (spec.engine) {
    case 'vllm':
      // The image's entrypoint is vLLM's OpenAI server, so only arguments are given.
      return {
        ...base,
        image: ENGINE_IMAGES.vllm,
        args: ['--model', spec.model_id, '--port', '8000', '--tensor-parallel-size', tensorParallel, ...engineArgs],
        env: { ...hfEnv, ...spec.env },
        ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
      };
    case 'tensorrt-llm':
      // The release image has no server entrypoint; trtllm-serve binds to localhost unless told otherwise.
      return {
        ...base,
        image: ENGINE_IMAGES['tensorrt-llm'],
        command: ['trtllm-serve'],
        args: [spec.model_id, '--host', '0.0.0.0', '--port', '8000', '--tp_size', tensorParallel, ...engineArgs],
        env: { ...hfEnv, ...spec.env },
        ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
      };
    case 'tei':
      // TEI caches weights under HUGGINGFACE_HUB_CACHE (default /data), not HF_HOME.
      return {
        ...base,
        image: teiImage(resources),
        args: ['--model-id', spec.model_id, '--port', '80', ...engineArgs],
        env: { HUGGINGFACE_HUB_CACHE: `${MODEL_CACHE_PATH}/huggingface/hub`, ...spec.env },
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      };
    case 'latentbud':
      // LatentBud is Bud's Infinity-derived embedding server: the same `--model-id/--port` CLI and `/health`
      // route as Infinity, device chosen by LATENTBUD_DEVICE, weights under INFINITY_HOME.
      return {
        ...base,
        image: ENGINE_IMAGES.latentbud,
        args: ['--model-id', spec.model_id, '--port', '8000', ...engineArgs],
        env: {
          ...hfEnv,
          LATENTBUD_DEVICE: resources.gpu_count > 0 ? 'cuda' : 'cpu',
          INFINITY_HOME: `${MODEL_CACHE_PATH}/infinity`,
          ...spec.env,
        },
        ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
      };
    default: {
      const unreachable: never = spec.engine;
      throw new Error(`unknown model engine ${String(unreachable)}`);
    }
  }
}
