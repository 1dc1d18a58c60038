import type { ComponentFileInput, DeploymentPlan, PlannedComponent, TemplateDocumentInput } from '@bud/contracts';
import { MAX_FILES_TOTAL_BYTES, createJobRequestSchema } from '@bud/contracts';
import type { ErrorDetail } from '@bud/errors';
import { completeJob, resolveTemplate, validateTemplate } from './index';
import { makeComponent, makeContext, makeRegistry, makeTemplate } from '../../../test/support/resolver-fixtures';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const PARAMETERS = { model_id: MODEL, api_key: 'sk-live-123' };

/** `app` carries two files of its own; `api` (components[2]) uses it. */
const registry = (
  files: ComponentFileInput[] = [
    { path: '/pipelines/rag/pipeline_wrapper.py', content: 'TOP_K = 3\n' },
    { path: '/pipelines/rag/settings.yaml', content: 'name: {{ deployment.name }}\n', mode: '0400' },
  ],
) => makeRegistry([makeComponent({ id: 'app-files', files })]);

function templateWith(apiPatch: Record<string, unknown>, overrides: Partial<TemplateDocumentInput> = {}): ReturnType<typeof makeTemplate> {
  const base = makeTemplate();
  return makeTemplate({
    ...overrides,
    components: base.components.map((c, i) => (i === 2 ? { ...c, component_ref: 'app-files', ...apiPatch } : c)),
  });
}

function resolve(apiPatch: Record<string, unknown>, reg = registry(), parameters: Record<string, unknown> = PARAMETERS) {
  return resolveTemplate({ template: templateWith(apiPatch), registry: reg, parameters, context: makeContext() });
}

function api(apiPatch: Record<string, unknown>, reg = registry()): PlannedComponent {
  const result = resolve(apiPatch, reg);
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
  const found = result.plan.waves.flatMap((w: DeploymentPlan['waves'][number]) => w.components).find((c) => c.id === 'api');
  if (!found) throw new Error('no api');
  return found;
}

function errorsOf(apiPatch: Record<string, unknown>, reg = registry()): ErrorDetail[] {
  const result = resolve(apiPatch, reg);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

const OUTPUTS = { 'vector-db': { url: 'http://qdrant:6333' }, llm: { url: 'http://llm:8000', openai_base_url: 'http://llm:8000/v1' } };

describe('component files in the resolver', () => {
  it("renders the component's files and the template's over them: same path replaces, new paths follow", () => {
    const planned = api({
      files: [
        { path: '/pipelines/rag/pipeline_wrapper.py', content: 'TOP_K = {{ parameters.gpus }}\n', mode: '0555' },
        { path: '/pipelines/rag/prompt.txt', content: 'Answer with {{ parameters.model_id }}' },
      ],
    });
    expect(planned.job.spec).toMatchObject({
      kind: 'container',
      files: [
        { path: '/pipelines/rag/pipeline_wrapper.py', content: 'TOP_K = 2\n', mode: '0555' },
        { path: '/pipelines/rag/settings.yaml', content: 'name: demo\n', mode: '0400' },
        { path: '/pipelines/rag/prompt.txt', content: `Answer with ${MODEL}`, mode: '0444' },
      ],
    });
    expect(planned.job.spec.kind === 'container' && planned.job.spec.files?.some((f) => f.secret)).toBe(false);
    expect(planned.pending.filter((p) => p.path[1] === 'files')).toEqual([]);
    expect(createJobRequestSchema.safeParse(planned.job).success).toBe(true);
  });

  it('leaves no files key on a job whose component has none', () => {
    const planned = api({}, registry([]));
    expect(planned.job.spec).not.toHaveProperty('files');
  });

  it('keeps a file waiting for an output pending, and completeJob fills it', () => {
    const planned = api({ files: [{ path: '/app/config.json', content: '{"llm": "{{ components.llm.outputs.openai_base_url }}"}' }] });
    expect(planned.pending).toContainEqual({ path: ['spec', 'files', 2, 'content'], components: ['llm'], secrets: [] });
    const done = completeJob(planned, { parameters: PARAMETERS, context: makeContext(), outputs: OUTPUTS });
    if (!done.ok) throw new Error(JSON.stringify(done.errors));
    expect(done.value.spec.kind === 'container' && done.value.spec.files?.[2]).toEqual({
      path: '/app/config.json',
      content: '{"llm": "http://llm:8000/v1"}',
      mode: '0444',
    });
  });

  it('fails completeJob, naming the field, when outputs make a file or env value pass its bound', () => {
    const complete = (patch: Record<string, unknown>, llm: Record<string, string>) =>
      completeJob(api(patch), { parameters: PARAMETERS, context: makeContext(), outputs: { ...OUTPUTS, llm: { ...OUTPUTS.llm, ...llm } } });
    const interpolated = complete(
      { files: [{ path: '/app/big', content: 'x{{ components.llm.outputs.url }}'.repeat(100) }] },
      { url: 'u'.repeat(1000) },
    );
    expect(interpolated).toEqual({
      ok: false,
      errors: [{ path: 'spec.files[2].content', message: 'renders to more than 65536 characters (column 1)' }],
    });
    const whole = complete(
      {
        files: [{ path: '/app/big', content: '{{ components.llm.outputs.url }}' }],
        env: { BIG: '{{ components.llm.outputs.url }}' },
      },
      { url: 'u'.repeat(70_000) },
    );
    expect(whole.ok ? [] : whole.errors).toEqual([
      { path: 'spec.env.BIG', message: 'renders to more than 65536 characters' },
      { path: 'spec.files[2].content', message: expect.stringMatching(/65536/) as string },
    ]);
    const many = complete(
      {
        files: Array.from({ length: 5 }, (_, i) => ({
          path: `/app/f${i}`,
          content: `{{ components.llm.outputs.url }}${'y'.repeat(52_000)}`,
        })),
      },
      { url: 'u'.repeat(1000) },
    );
    expect(many.ok ? [] : many.errors).toEqual([{ path: 'spec.files[6].content', message: expect.stringMatching(/262144/) as string }]);
  });

  it('does not count the escaping of a pending file against its size: the plan passes and completeJob renders it', () => {
    const braces = '{ '.repeat(10_000);
    const planned = api({ files: [{ path: '/app/braces', content: `${braces}{{ components.llm.outputs.url }}` }] });
    expect(planned.pending).toContainEqual({ path: ['spec', 'files', 2, 'content'], components: ['llm'], secrets: [] });
    const done = completeJob(planned, { parameters: PARAMETERS, context: makeContext(), outputs: OUTPUTS });
    if (!done.ok) throw new Error(JSON.stringify(done.errors));
    expect(done.value.spec.kind === 'container' && done.value.spec.files?.[2]?.content).toBe(`${braces}http://llm:8000`);
  });

  it('marks a file that uses a secret parameter secret: the plan holds the expression, the completed job the value', () => {
    const planned = api({ files: [{ path: '/app/credentials', content: 'key={{ parameters.api_key }}\n', mode: '0400' }] });
    const file = planned.job.spec.kind === 'container' ? planned.job.spec.files?.[2] : undefined;
    expect(file).toEqual({ path: '/app/credentials', content: 'key={{ parameters.api_key }}\n', mode: '0400', secret: true });
    expect(JSON.stringify(planned)).not.toContain('sk-live-123');
    expect(planned.pending).toContainEqual({ path: ['spec', 'files', 2, 'content'], components: [], secrets: ['api_key'] });
    const done = completeJob(planned, { parameters: PARAMETERS, context: makeContext(), outputs: OUTPUTS });
    if (!done.ok) throw new Error(JSON.stringify(done.errors));
    expect(done.value.spec.kind === 'container' && done.value.spec.files?.[2]).toEqual({
      path: '/app/credentials',
      content: 'key=sk-live-123\n',
      mode: '0400',
      secret: true,
    });
    expect(done.value.spec.kind === 'container' && done.value.spec.secret_env).toBeUndefined();
  });

  it('renders files on a model component too', () => {
    const base = makeTemplate();
    const result = resolveTemplate({
      template: makeTemplate({
        components: base.components.map((c, i) =>
          i === 1 ? { ...c, files: [{ path: '/chat/template.jinja', content: '{{ parameters.size }}' }] } : c,
        ),
      }),
      registry: makeRegistry(),
      parameters: { model_id: MODEL },
      context: makeContext(),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const llm = result.plan.waves.flatMap((w) => w.components).find((c) => c.id === 'llm');
    expect(llm?.job.spec).toMatchObject({ kind: 'model', files: [{ path: '/chat/template.jinja', content: '50Gi', mode: '0444' }] });
  });

  it.each<[string, Record<string, unknown>, ErrorDetail]>([
    [
      'an unknown parameter in a template file',
      { files: [{ path: '/a.txt', content: '{{ parameters.nope }}' }] },
      { path: 'components[2].files[0].content', message: 'parameters.nope is not a parameter of this template (column 4)' },
    ],
    [
      'a syntax error in a template file',
      { files: [{ path: '/a.txt', content: 'x {{ parameters. }}' }] },
      { path: 'components[2].files[0].content', message: expect.stringContaining('column') as string },
    ],
    [
      'a file over 64 KiB once rendered',
      { files: [{ path: '/big.txt', content: `${'x'.repeat(65_490)}{{ deployment.id }}{{ deployment.id }}` }] },
      { path: 'components[2].files[0].content', message: 'renders to more than 65536 characters (column 1)' },
    ],
    [
      'a file over 64 KiB of UTF-8 once rendered, under 64 Ki characters',
      { files: [{ path: '/big.txt', content: `${'é'.repeat(32_740)}{{ deployment.id }}{{ deployment.id }}` }] },
      { path: 'components[2].files[0].content', message: 'renders to more than 65536 bytes' },
    ],
  ])('refuses %s, naming the path', (_name, patch, expected) => {
    expect(errorsOf(patch)).toContainEqual(expected);
  });

  it("names the component's own file when its expression is wrong for this template", () => {
    const reg = registry([{ path: '/app/a.txt', content: '{{ parameters.top_k }}' }]);
    expect(errorsOf({}, reg)).toContainEqual({
      path: 'components[2].component_ref.files[0].content',
      message: 'parameters.top_k is not a parameter of this template (column 4)',
    });
  });

  it('refuses files on a helm component in the template', () => {
    const base = makeTemplate();
    const document = {
      ...base,
      components: base.components.map((c, i) => (i === 0 ? { ...c, files: [{ path: '/qdrant/config.yaml', content: 'x' }] } : c)),
    };
    const result = validateTemplate(document, registry());
    expect(result.ok ? [] : result.errors).toContainEqual({
      path: 'components[0].files',
      message: "'vdb' is a helm component: files do not apply to a helm component",
    });
  });

  it('refuses more than 20 files and more than 256 KiB once merged with the component', () => {
    const own = Array.from({ length: 12 }, (_, i) => ({ path: `/own/f${i}`, content: 'x' }));
    const added = Array.from({ length: 9 }, (_, i) => ({ path: `/added/f${i}`, content: 'x' }));
    expect(errorsOf({ files: added }, registry(own))).toContainEqual({
      path: 'components[2].files',
      message: "with the component's 12 files makes 21; at most 20",
    });
    const quarter = 'x'.repeat(MAX_FILES_TOTAL_BYTES / 4);
    const big = Array.from({ length: 3 }, (_, i) => ({ path: `/own/f${i}`, content: quarter }));
    expect(
      errorsOf(
        {
          files: [
            { path: '/added/a', content: quarter },
            { path: '/added/b', content: 'y' },
          ],
        },
        registry(big),
      ),
    ).toContainEqual({ path: 'components[2].files[1].content', message: "brings the component's files over 262144 bytes" });
  });

  it("refuses a template file under one of the component's files, naming it", () => {
    expect(errorsOf({ files: [{ path: '/pipelines/rag/settings.yaml/extra', content: '' }] })).toContainEqual({
      path: 'components[2].files[0].path',
      message: "is under the file '/pipelines/rag/settings.yaml'",
    });
  });

  it('refuses a bad path in a template file through the schema, naming it', () => {
    const base = makeTemplate();
    const document = {
      ...base,
      components: base.components.map((c, i) =>
        i === 2
          ? {
              ...c,
              files: [
                { path: '/ok', content: '' },
                { path: '/var/run/docker.sock', content: '' },
              ],
            }
          : c,
      ),
    };
    const result = validateTemplate(document, registry());
    expect(result.ok ? [] : result.errors).toEqual([{ path: 'components[2].files[1].path', message: 'must not be at or under /var/run' }]);
  });

  it('allows a secret parameter in file content when the template is saved', () => {
    const result = validateTemplate(templateWith({ files: [{ path: '/app/key', content: '{{ parameters.api_key }}' }] }), registry());
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
