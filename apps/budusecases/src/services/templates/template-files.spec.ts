import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplateFiles, describeProblems } from './template-files';

const SOURCE = join(__dirname, '../../../../..', 'templates');
const SIMPLE_RAG = 'system/rag/simple-rag-v1.yaml';

describe('checkTemplateFiles (seed --check)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bud-templates-'));
    cpSync(SOURCE, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, from: string, to: string): void => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain(from);
    writeFileSync(join(dir, file), text.replace(from, to));
  };

  it('accepts the repository seed files', () => {
    const result = checkTemplateFiles(dir);
    expect(result.errors).toEqual([]);
    expect(result.components).toHaveLength(14);
    expect(result.templates.map((t) => t.sourceFile)).toContain(SIMPLE_RAG);
  });

  it.each([
    [
      'an unsafe helm value',
      'size: "{{ parameters.vector_db_size }}"',
      'size: "{{ parameters.vector_db_size }}"\n        hostNetwork: true',
      'components[0].config.persistence.hostNetwork',
    ],
    ['an unknown output key', "components['llm'].outputs.openai_base_url", "components['llm'].outputs.nope", 'components[3].env.LLM_URL'],
    ['an unknown component ref', 'component_ref: tei-embedding', 'component_ref: no-such-thing', 'components[1].component_ref'],
    [
      'an expression syntax error',
      '{{ parameters.embedding_model }}',
      '{{ parameters.embedding_model | }}',
      'components[1].config.model_id',
    ],
    ['an unknown field', 'complexity: simple', 'complexity: simple\ncolour: red', 'colour'],
  ])('names the file and path of %s', (_name, from, to, path) => {
    edit(SIMPLE_RAG, from, to);
    const { errors, templates } = checkTemplateFiles(dir);
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ source_file: SIMPLE_RAG, path })]));
    expect(describeProblems(errors)).toContain(`${SIMPLE_RAG}: ${path}: `);
    expect(templates.map((t) => t.document.id)).not.toContain('simple-rag-v1');
  });

  it('reports YAML that cannot be parsed with its line, and a file under the wrong category', () => {
    writeFileSync(join(dir, 'system/agent/broken.yaml'), 'id: broken\nname: [unclosed\n');
    cpSync(join(dir, SIMPLE_RAG), join(dir, 'system/chatbot/simple-rag-v1.yaml'));
    const { errors } = checkTemplateFiles(dir);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source_file: 'system/agent/broken.yaml', message: expect.stringMatching(/^line \d+, column \d+: /) }),
        expect.objectContaining({ source_file: 'system/chatbot/simple-rag-v1.yaml', path: 'category' }),
      ]),
    );
  });

  it('refuses templates whose component is missing from the seed, and a component with an unsafe chart host', () => {
    unlinkSync(join(dir, 'components/qdrant.yaml'));
    edit('components/milvus.yaml', 'helm_repo: https://zilliztech.github.io/milvus-helm', 'helm_repo: https://169.254.169.254/charts');
    const { errors } = checkTemplateFiles(dir);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source_file: SIMPLE_RAG, path: 'components[0].component_ref' }),
        expect.objectContaining({
          source_file: 'components/milvus.yaml',
          path: 'helm_repo',
          message: expect.stringContaining('link-local'),
        }),
      ]),
    );
  });
});
