import type { JobResources, ModelSpec } from '@bud/contracts';
import { ENGINE_IMAGES, modelToContainer, teiImage } from './model-engines';
import { checkImageHost } from '@bud/workloads';

const resources = (overrides: Partial<JobResources> = {}): JobResources => ({
  gpu_count: 1,
  gpu_type: 'NVIDIA-A100-SXM4-80GB',
  cpu_request: '4',
  memory_request: '32Gi',
  replicas: 1,
  ...overrides,
});
const model = (engine: ModelSpec['engine'], overrides: Partial<ModelSpec> = {}): ModelSpec => ({
  kind: 'model',
  engine,
  model_id: 'meta-llama/Llama-3.1-8B-Instruct',
  ...overrides,
});

describe('modelToContainer', () => {
  it.each<[string, ModelSpec, JobResources, { image: string; command?: string[]; args: string[]; port: number }]>([
    [
      'vLLM serves the model through the image entrypoint with tensor parallelism = GPUs',
      model('vllm'),
      resources({ gpu_count: 4 }),
      {
        image: 'vllm/vllm-openai:v0.12.0',
        args: ['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000', '--tensor-parallel-size', '4'],
        port: 8000,
      },
    ],
    [
      'vLLM appends engine args after its own',
      model('vllm', { engine_args: ['--max-model-len', '8192'] }),
      resources(),
      {
        image: 'vllm/vllm-openai:v0.12.0',
        args: ['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000', '--tensor-parallel-size', '1', '--max-model-len', '8192'],
        port: 8000,
      },
    ],
    [
      'TensorRT-LLM runs trtllm-serve on all interfaces with tp_size = GPUs',
      model('tensorrt-llm'),
      resources({ gpu_count: 2 }),
      {
        image: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0',
        command: ['trtllm-serve'],
        args: ['meta-llama/Llama-3.1-8B-Instruct', '--host', '0.0.0.0', '--port', '8000', '--tp_size', '2'],
        port: 8000,
      },
    ],
    [
      'TEI on an A100 uses the default (Ampere 80) image on port 80',
      model('tei', { model_id: 'BAAI/bge-large-en-v1.5' }),
      resources(),
      {
        image: 'ghcr.io/huggingface/text-embeddings-inference:1.8',
        args: ['--model-id', 'BAAI/bge-large-en-v1.5', '--port', '80'],
        port: 80,
      },
    ],
    [
      'TEI without a GPU uses the CPU image',
      model('tei', { model_id: 'BAAI/bge-small-en-v1.5' }),
      resources({ gpu_count: 0, gpu_type: undefined }),
      {
        image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.8',
        args: ['--model-id', 'BAAI/bge-small-en-v1.5', '--port', '80'],
        port: 80,
      },
    ],
    [
      'LatentBud speaks the Infinity CLI on port 8000',
      model('latentbud', { model_id: 'BAAI/bge-m3' }),
      resources(),
      { image: 'ghcr.io/budecosystem/latentbud:v0.1.0', args: ['--model-id', 'BAAI/bge-m3', '--port', '8000'], port: 8000 },
    ],
  ])('%s', (_name, spec, res, expected) => {
    const container = modelToContainer(spec, res);
    expect(container.kind).toBe('container');
    expect(container.image).toBe(expected.image);
    expect(container.command).toEqual(expected.command);
    expect(container.args).toEqual(expected.args);
    expect(container.ports).toEqual([{ name: 'http', port: expected.port, protocol: 'TCP' }]);
    expect(container.health_check_path).toBe('/health');
  });

  it.each(['vllm', 'tensorrt-llm', 'tei', 'latentbud'] as const)('%s uses a pinned, public image on an allowed registry', (engine) => {
    const { image } = modelToContainer(model(engine), resources());
    expect(image).not.toMatch(/:latest$/);
    expect(image).toMatch(/:[\w.-]+$/);
    expect(checkImageHost(image, 'spec.image')).toEqual([]);
  });

  it.each([
    ['vllm', 'HF_HOME', '/models/huggingface'],
    ['tensorrt-llm', 'HF_HOME', '/models/huggingface'],
    ['tei', 'HUGGINGFACE_HUB_CACHE', '/models/huggingface/hub'],
    ['latentbud', 'INFINITY_HOME', '/models/infinity'],
  ] as const)('%s caches weights under /models (%s)', (engine, variable, value) => {
    expect(modelToContainer(model(engine), resources()).env[variable]).toBe(value);
  });

  it('lets the spec env override engine defaults and pass through extra variables', () => {
    const container = modelToContainer(model('vllm', { env: { HF_HOME: '/custom', VLLM_LOGGING_LEVEL: 'DEBUG' } }), resources());
    expect(container.env).toEqual({ HF_HOME: '/custom', VLLM_LOGGING_LEVEL: 'DEBUG' });
  });

  it('mounts a model cache volume sized by resources.storage, and none without it', () => {
    expect(modelToContainer(model('vllm'), resources({ storage: '200Gi' })).volumes).toEqual([
      { name: 'model-cache', mount_path: '/models', size: '200Gi' },
    ]);
    expect(modelToContainer(model('vllm'), resources()).volumes).toBeUndefined();
  });

  it('runs a CPU-only model with tensor parallelism 1 and LatentBud on the CPU device', () => {
    const cpu = resources({ gpu_count: 0, gpu_type: undefined });
    expect(modelToContainer(model('vllm'), cpu).args).toContain('1');
    expect(modelToContainer(model('latentbud'), cpu).env['LATENTBUD_DEVICE']).toBe('cpu');
    expect(modelToContainer(model('latentbud'), resources()).env['LATENTBUD_DEVICE']).toBe('cuda');
  });

  it('never passes the model id through a shell', () => {
    const container = modelToContainer(model('tensorrt-llm', { model_id: 'org/model;rm-rf' }), resources());
    expect(container.command).toEqual(['trtllm-serve']);
    expect(container.args?.[0]).toBe('org/model;rm-rf');
  });
});

describe('teiImage picks the build for the GPU architecture', () => {
  it.each([
    ['H100 → hopper', 'NVIDIA-H100-80GB-HBM3', 'hopper-1.8'],
    ['L4 → Ada (89)', 'NVIDIA-L4', '89-1.8'],
    ['L40S → Ada (89)', 'NVIDIA-L40S', '89-1.8'],
    ['A10G → Ampere 86', 'NVIDIA-A10G', '86-1.8'],
    ['A10 → Ampere 86', 'NVIDIA-A10', '86-1.8'],
    ['T4 → Turing', 'Tesla-T4', 'turing-1.8'],
    ['A100 → default', 'NVIDIA-A100-SXM4-80GB', '1.8'],
    ['an unknown GPU → default', 'SomeFutureGPU', '1.8'],
  ])('%s', (_name, gpuType, tag) => {
    expect(teiImage({ gpu_count: 1, gpu_type: gpuType })).toBe(`${ENGINE_IMAGES.tei}:${tag}`);
  });
});
