// `npm run lint:openapi`: writes both services' OpenAPI documents (as /api/docs-json serves them) to a temp
// folder and lints them with `redocly lint` under redocly.yaml (the recommended rules, warnings fail too).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@bud/testing';
import { budclusterOpenApiDocument } from '../../apps/budcluster/src/budcluster.openapi';
import { budusecasesOpenApiDocument } from '../../apps/budusecases/src/budusecases.openapi';

const dir = mkdtempSync(join(tmpdir(), 'bud-openapi-'));
try {
  const files = Object.entries({ budcluster: budclusterOpenApiDocument(), budusecases: budusecasesOpenApiDocument() }).map(
    ([name, document]) => {
      const file = `${name}.json`;
      writeFileSync(join(dir, file), `${JSON.stringify(document, null, 2)}\n`);
      return file;
    },
  );
  const redocly = join(repoRoot, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const result = spawnSync(
    process.execPath,
    [redocly, 'lint', '--config', join(repoRoot, 'redocly.yaml'), '--lint-config', 'error', ...files],
    {
      cwd: dir,
      stdio: 'inherit',
      // No telemetry or update check: CI reaches no network but the package registries.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
