import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { loadModelFiles, modelFileName } from './model-files';
import { checkTemplateFiles, describeProblems } from './template-files';

const SHIPPED = join(__dirname, '../../../../..', 'templates');

const llama = {
  id: 'meta-llama/Llama-3.1-8B-Instruct',
  kind: 'llm',
  parameters: 8030261248,
  layers: 32,
  kv_heads: 8,
  head_dim: 128,
  max_context: 131072,
  embedding_dimension: 4096,
  dtype: 'bfloat16',
  source: {
    config: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/config.json',
    parameters: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct',
  },
};

describe('model catalog files (templates/models)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'models-'));
    mkdirSync(join(root, 'models'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (name: string, doc: unknown): void => writeFileSync(join(root, 'models', name), typeof doc === 'string' ? doc : dump(doc));

  it('ships a valid catalog: every model the system templates suggest, each citing its config.json', () => {
    const { models, errors } = loadModelFiles(SHIPPED);
    expect(errors).toEqual([]);
    expect(models.map((m) => m.id).sort()).toEqual([
      'BAAI/bge-base-en-v1.5',
      'BAAI/bge-large-en-v1.5',
      'meta-llama/Llama-3.1-70B-Instruct',
      'meta-llama/Llama-3.1-8B-Instruct',
    ]);
    for (const m of models) expect(m.source.config).toBe(`https://huggingface.co/${m.id}/blob/main/config.json`);
  });

  it('loads a valid file named after its id; no models/ directory is an empty catalog', () => {
    write(modelFileName(llama.id), llama);
    expect(loadModelFiles(root)).toEqual({ models: [llama], errors: [] });
    rmSync(join(root, 'models'), { recursive: true });
    expect(loadModelFiles(root)).toEqual({ models: [], errors: [] });
  });

  const bad: Array<[string, string, unknown, { path: string; message: RegExp }]> = [
    ['a source that is not a config.json on huggingface.co', modelFileName(llama.id), { ...llama, source: { ...llama.source, config: 'https://example.com/config.json' } }, { path: 'source.config', message: /config\.json on huggingface\.co/ }],
    ['a missing number', modelFileName(llama.id), { ...llama, kv_heads: undefined }, { path: 'kv_heads', message: /./ }],
    ['an absurd parameter count', modelFileName(llama.id), { ...llama, parameters: 20_000_000_000_000 }, { path: 'parameters', message: /./ }],
    ['an unknown field', modelFileName(llama.id), { ...llama, quantization: 'awq' }, { path: 'quantization', message: /./ }],
    ['a file not named after its id', 'llama.yaml', llama, { path: 'id', message: /meta-llama--llama-3\.1-8b-instruct\.yaml/ }],
    ['YAML that does not parse', modelFileName(llama.id), 'id: [unclosed', { path: '(root)', message: /line/ }],
  ];
  it.each(bad)('refuses %s, naming the file and path', (_name, file, doc, expected) => {
    write(file, doc);
    const { models, errors } = loadModelFiles(root);
    expect(models).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].source_file).toBe(`models/${file}`);
    expect(errors[0].path).toBe(expected.path);
    expect(errors[0].message).toMatch(expected.message);
  });

  it('refuses a second file for the same model', () => {
    write(modelFileName(llama.id), llama);
    write(modelFileName(llama.id).replace('.yaml', '.yml'), llama);
    const { models, errors } = loadModelFiles(root);
    expect(models).toHaveLength(1);
    expect(errors.map((e) => `${e.source_file} ${e.path}: ${e.message}`)).toEqual([
      "models/meta-llama--llama-3.1-8b-instruct.yml id: duplicates model 'meta-llama/Llama-3.1-8B-Instruct'",
    ]);
  });

  it('is checked with the seed files (seed --check and start-up name the file and path)', () => {
    cpSync(SHIPPED, root, { recursive: true });
    const file = join(root, 'models', 'meta-llama--llama-3.1-8b-instruct.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('max_context: 131072', 'max_context: -1'));
    const { errors } = checkTemplateFiles(root);
    const models = errors.filter((e) => e.source_file.startsWith('models/'));
    expect(models).toHaveLength(1);
    expect(describeProblems(models)).toMatch(/^models\/meta-llama--llama-3\.1-8b-instruct\.yaml: max_context: /);
  });
});
