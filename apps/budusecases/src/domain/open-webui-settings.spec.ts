import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TemplateDocument } from '@bud/contracts';
import { componentDefinitionSchema } from '@bud/contracts';
import { parseSafeYaml } from '@bud/safe-yaml';
import type { Registry } from './resolver';
import { resolveTemplate, validateTemplate } from './resolver';
import { makeContext } from '../../test/support/resolver-fixtures';

/**
 * chat-ui runs Open WebUI, whose image is the PyPI package `open-webui` of the same version. Every env
 * name the templates give it must be a setting that package reads: templates/sources/open-webui-<v>.settings.txt,
 * extracted from the wheel by scripts/open-webui-settings/extract.py. test/usecases/open-webui-settings.test.ts
 * (run by .ci/run) extracts it again from the real wheel and compares it with the checked-in one.
 */
const ROOT = join(__dirname, '../../../..');
const TEMPLATES = join(ROOT, 'templates');
const EXTRACT = join(ROOT, 'scripts/open-webui-settings/extract.py');
const load = (file: string): unknown => parseSafeYaml(readFileSync(file, 'utf8'), relative(TEMPLATES, file));
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );

const registry: Registry = new Map(
  yamlFiles(join(TEMPLATES, 'components')).map((file) => {
    const definition = componentDefinitionSchema.parse(load(file));
    return [definition.id, definition] as const;
  }),
);
const templates: TemplateDocument[] = yamlFiles(join(TEMPLATES, 'system')).map((file) => {
  const result = validateTemplate(load(file), registry);
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.value;
});
const chatUi = registry.get('chat-ui')!;
const settingsFile = join(TEMPLATES, 'sources', `open-webui-${chatUi.image_tag ?? ''}.settings.txt`);
const namesIn = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const settings = new Set(namesIn(readFileSync(settingsFile, 'utf8')));

function extract(path: string, version: string): string {
  return execFileSync('python3', [EXTRACT, path, '--version', version], { encoding: 'utf8' });
}

/** The chat-ui env each system template renders with its defaults (what a deployment would set). */
function chatUiEnvs(): Array<[string, Record<string, string>]> {
  return templates.flatMap((template) => {
    const required = Object.fromEntries(
      template.parameters.filter((p) => p.required).map((p) => [p.name, 'meta-llama/Llama-3.1-8B-Instruct']),
    );
    const result = resolveTemplate({ template, registry, parameters: required, context: makeContext() });
    if (!result.ok) throw new Error(`${template.id}: ${JSON.stringify(result.errors)}`);
    return result.plan.waves
      .flatMap((w) => w.components)
      .filter((c) => c.component_ref === 'chat-ui')
      .map((c): [string, Record<string, string>] => [template.id, c.env]);
  });
}

describe('Open WebUI settings (chat-ui)', () => {
  it('has the settings list of the very version chat-ui pins', () => {
    expect(chatUi.image_tag).toBe('0.11.0');
    expect(readFileSync(settingsFile, 'utf8').split('\n')[0]).toBe(
      `# open-webui==${chatUi.image_tag}: every environment variable name its code reads (254 .py files)`,
    );
    expect(settings.size).toBeGreaterThan(500);
  });

  it.each(chatUiEnvs())('%s sets only env names open-webui reads', (_id, env) => {
    expect(Object.keys(env).filter((name) => !settings.has(name))).toEqual([]);
  });

  it('wires chatbot-memory-v1 to the memories feature, Redis and a default system prompt that is valid JSON', () => {
    const template = templates.find((t) => t.id === 'chatbot-memory-v1')!;
    const result = resolveTemplate({
      template,
      registry,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', memory_review_interval: 5, system_prompt: "Be brief. Don't guess." },
      context: makeContext(),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const env = result.plan.waves.flatMap((w) => w.components).find((c) => c.id === 'chat-ui')!.env;
    expect(env).toMatchObject({
      ENABLE_MEMORIES: 'true',
      ENABLE_MEMORY_SYSTEM_CONTEXT: 'true',
      ENABLE_MEMORY_BACKGROUND_REVIEW: 'true',
      MEMORIES_REVIEW_INTERVAL_TURNS: '5',
      MEMORIES_CONTEXT_CHAR_LIMIT: '2000',
      WEBSOCKET_MANAGER: 'redis',
      ENABLE_PERSISTENT_CONFIG: 'false',
    });
    expect(JSON.parse(env['DEFAULT_MODEL_PARAMS'])).toEqual({ system: "Be brief. Don't guess." });
    expect(result.plan.waves[1].components.find((c) => c.id === 'chat-ui')?.pending.map((p) => p.path)).toContainEqual([
      'spec',
      'env',
      'REDIS_URL',
    ]);
  });

  it('refuses a system prompt that would break the JSON it is placed in, naming the parameter', () => {
    const template = templates.find((t) => t.id === 'chatbot-memory-v1')!;
    for (const prompt of ['say "hi"', 'a\\b', 'line\nbreak']) {
      const result = resolveTemplate({
        template,
        registry,
        parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', system_prompt: prompt },
        context: makeContext(),
      });
      expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['parameters.system_prompt']);
    }
  });

  describe('scripts/open-webui-settings/extract.py', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'owui-extract-'));
      mkdirSync(join(dir, 'open_webui', 'utils'), { recursive: true });
      writeFileSync(
        join(dir, 'open_webui', 'env.py'),
        [
          'import os',
          'from os import getenv, environ',
          "A = os.getenv('GETENV_NAME', 'x')",
          'B = os.environ.get("ENVIRON_GET_NAME")',
          "C = os.environ['SUBSCRIPT_NAME']",
          "D = 'IN_NAME' in os.environ",
          "E = getenv('BARE_GETENV_NAME')",
          "F = environ.get('BARE_ENVIRON_NAME')",
          "G = os.getenv(f'{A}_DYNAMIC')  # built at run time: not a setting",
          "H = 'NOT_READ'  # a string that is never looked up",
          "I = settings.get('NOT_ENV')",
        ].join('\n'),
      );
      writeFileSync(join(dir, 'open_webui', 'utils', 'redis.py'), "import os\nURL = os.getenv('NESTED_NAME')\n");
      writeFileSync(join(dir, 'open_webui', 'broken.py'), 'def (:\n');
      mkdirSync(join(dir, 'other'));
      writeFileSync(join(dir, 'other', 'x.py'), "import os\nos.getenv('OUTSIDE_PACKAGE')\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('lists every literal name read through os.getenv, os.environ.get, os.environ[...] and `in os.environ`, in the package only', () => {
      expect(namesIn(extract(dir, '9.9.9'))).toEqual([
        'BARE_ENVIRON_NAME',
        'BARE_GETENV_NAME',
        'ENVIRON_GET_NAME',
        'GETENV_NAME',
        'IN_NAME',
        'NESTED_NAME',
        'SUBSCRIPT_NAME',
      ]);
    });

    it('reads a wheel (a zip) the same as a directory and names its version and digest', () => {
      const wheel = join(dir, 'open_webui-9.9.9-py3-none-any.whl');
      execFileSync('python3', ['-m', 'zipfile', '-c', wheel, 'open_webui'], { cwd: dir });
      const out = extract(wheel, '9.9.9');
      expect(namesIn(out)).toEqual(namesIn(extract(dir, '9.9.9')));
      expect(out.split('\n')[0]).toBe('# open-webui==9.9.9: every environment variable name its code reads (3 .py files)');
      expect(out.split('\n')[1]).toMatch(/^# source: open_webui-9\.9\.9-py3-none-any\.whl sha256 [0-9a-f]{64}$/);
    });
  });
});
