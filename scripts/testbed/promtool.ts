// promtool (Prometheus' rule checker and rule unit-test runner), built from source by the test bed like the control
// plane's programs: `node dist/scripts/testbed/main.js build promtool`, cached in .testbed/cache/promtool-<version>/.
// CI runs deploy/monitoring/'s checks and unit tests with it (test/monitoring/promtool/).
import { spawn } from 'node:child_process';
import { binary, buildAll } from './go-build';

/** Builds promtool unless cached; returns its path and the seconds the build took (0 when cached). */
export async function ensurePromtool(): Promise<{ path: string; buildSeconds: number }> {
  const seconds = await buildAll({ only: ['promtool'] });
  return { path: binary('promtool'), buildSeconds: seconds.promtool ?? 0 };
}

export interface PromtoolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool with `args` in `cwd`; never throws on a non-zero exit (the caller asserts on it). */
export function runPromtool(args: string[], cwd: string): Promise<PromtoolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary('promtool'), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
