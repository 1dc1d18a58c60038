import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { componentDefinitionSchema } from '@bud/contracts';
import { parseSafeYaml } from '@bud/safe-yaml';

/**
 * chat-ui runs Open WebUI, whose image is the PyPI package `open-webui` of the same version. The checked-in list of
 * settings that the templates' env is checked against (apps/budusecases/src/domain/open-webui-settings.spec.ts) must
 * be what that package really reads: the real wheel, downloaded once into the Python cache, is extracted again here.
 */
const ROOT = join(__dirname, '../..');
const chatUi = componentDefinitionSchema.parse(
  parseSafeYaml(readFileSync(join(ROOT, 'templates/components/chat-ui.yaml'), 'utf8'), 'chat-ui.yaml'),
);
const version = chatUi.image_tag ?? '';
const settingsFile = join(ROOT, 'templates/sources', `open-webui-${version}.settings.txt`);
const wheels = join(
  process.env['BUD_PYTHON_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'bud-foundry/python'),
  'wheels',
);

function wheelOf(release: string): string {
  const find = () => readdirSync(wheels).find((name) => name.startsWith(`open_webui-${release}-`) && name.endsWith('.whl'));
  mkdirSync(wheels, { recursive: true });
  const cached = find();
  if (cached) return join(wheels, cached);
  const python = join(process.env['BUD_PYTHON_VENV']!, 'bin', 'python');
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '-d',
      wheels,
      `open-webui==${release}`,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const downloaded = find();
  if (!downloaded) throw new Error(`pip downloaded no open-webui ${release} wheel into ${wheels}`);
  return join(wheels, downloaded);
}

describe("chat-ui's settings list is the open-webui package's", () => {
  it('re-extracts the checked-in list from the real wheel of the pinned version', () => {
    expect(existsSync(settingsFile)).toBe(true);
    const extracted = execFileSync(
      'python3',
      [join(ROOT, 'scripts/open-webui-settings/extract.py'), wheelOf(version), '--version', version],
      {
        encoding: 'utf8',
      },
    );
    expect(extracted).toBe(readFileSync(settingsFile, 'utf8'));
  });
});
