// `npm start`: runs every service of the platform on its embedded defaults in one terminal,
// with prefixed logs, a progress line per service, and a clean shutdown on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface ServiceDef {
  name: string;
  entry: string;
  port: number;
}

// Runs from dist/scripts/: the repository root is the nearest folder with a package.json.
const root = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const services: ServiceDef[] = [
  { name: 'budcluster', entry: 'dist/apps/budcluster/src/main.js', port: Number(process.env.BUDCLUSTER_PORT ?? 9082) },
  { name: 'budusecases', entry: 'dist/apps/budusecases/src/main.js', port: Number(process.env.BUDUSECASES_PORT ?? 9084) },
  { name: 'budadmin', entry: 'dist/apps/budadmin/server/main.js', port: Number(process.env.BUDADMIN_PORT ?? 8007) },
];
const shared = [
  'DATA_DIR',
  'SERVICE_TOKEN_SECRET',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'LOG_LEVEL',
  'LOG_FORMAT',
];
const children: ChildProcess[] = [];
let stopping = false;

function envFor(service: ServiceDef): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(service.port) };
  for (const name of shared) if (process.env[name]) env[name] = process.env[name];
  env.BUDCLUSTER_URL = `http://127.0.0.1:${services[0].port}`;
  env.BUDUSECASES_URL = `http://127.0.0.1:${services[1].port}`;
  return env;
}

function prefixLines(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WritableStream): void {
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

async function waitReady(service: ServiceDef, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service.name} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${service.port}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} was not ready within 60 s`);
}

async function assertPortFree(service: ServiceDef): Promise<void> {
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(
        new Error(
          `port ${service.port} for ${service.name} is already in use; stop what holds it or set ${service.name.toUpperCase()}_PORT`,
        ),
      ),
    );
    probe.listen(service.port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping the platform…\n');
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 15_000);
  Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', resolve))))).then(
    () => {
      clearTimeout(force);
      process.exit(code);
    },
    () => process.exit(code),
  );
}

function newestChange(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** The web UI is bundled by Vite; only when its sources changed since the last bundle. */
function ensureUiBuilt(): void {
  const bundle = join(root, 'dist/budadmin/index.html');
  const sources = ['apps/budadmin/src', 'apps/budadmin/index.html', 'apps/budadmin/vite.config.mts', 'libs/contracts/src'].map((p) =>
    join(root, p),
  );
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...sources.map(newestChange))) return;
  const started = Date.now();
  process.stdout.write('[start] budadmin: building the web UI…\n');
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/budadmin/vite.config.mts', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('the web UI did not build (see above)');
  process.stdout.write(`[start] budadmin: web UI built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  ensureUiBuilt();
  // Both start at once (each has its own embedded database); budusecases retries budcluster until it answers.
  await Promise.all(
    services.map(async (service) => {
      const started = Date.now();
      process.stdout.write(`[start] ${service.name}: starting on port ${service.port}…\n`);
      await assertPortFree(service);
      const child = spawn(process.execPath, [join(root, service.entry)], {
        cwd: root,
        env: envFor(service),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      prefixLines(child.stdout, `[${service.name}]`, process.stdout);
      prefixLines(child.stderr, `[${service.name}]`, process.stderr);
      child.on('exit', (code) => {
        if (!stopping) {
          process.stderr.write(`[start] ${service.name} exited unexpectedly (code ${code}); stopping the platform\n`);
          stopAll(1);
        }
      });
      await waitReady(service, child);
      const docs = service.name === 'budadmin' ? '' : ' (API docs: /api/docs)';
      process.stdout.write(
        `[start] ${service.name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s at http://127.0.0.1:${service.port}${docs}\n`,
      );
    }),
  );
  process.stdout.write(
    `\nBud Foundry is running on embedded defaults (data in ${process.env.DATA_DIR ?? '.data'}/). Press Ctrl-C to stop.\n`,
  );
  process.stdout.write(`Open the UI: http://127.0.0.1:${services[2].port}/usecases\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  stopAll(1);
});
