import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The venv with the pinned Python libraries: BUD_PYTHON_VENV (CI sets it), else .ci/python-venv.sh makes or reuses one. */
export default function globalSetup(): void {
  const root = join(__dirname, '../..');
  const venv =
    process.env['BUD_PYTHON_VENV'] ??
    execFileSync('bash', [join(root, '.ci/python-venv.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  if (!existsSync(join(venv, 'bin', 'python'))) throw new Error(`no Python venv at ${venv} (BUD_PYTHON_VENV or .ci/python-venv.sh)`);
  process.env['BUD_PYTHON_VENV'] = venv;
}
