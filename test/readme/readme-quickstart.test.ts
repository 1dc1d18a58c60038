import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil, repoRoot } from '@bud/testing';

/**
 * Exactly what the README tells a new user, on a clean clone in a temp folder: install, start, deploy
 * simple-rag-v1 with the CLI (--wait), see it running, stop the platform with Ctrl-C, start it again
 * and find the deployment still there and still running.
 */
describe('the README quick start, as a new user follows it', () => {
  const clone = join(mkdtempSync(join(tmpdir(), 'bud-readme-')), 'bud-foundry');
  let ports: { budcluster: number; budusecases: number; budadmin: number };
  let platform: ChildProcess | undefined;
  let output = '';
  const env = () => ({
    ...process.env,
    BUDCLUSTER_PORT: String(ports.budcluster),
    BUDUSECASES_PORT: String(ports.budusecases),
    BUDADMIN_PORT: String(ports.budadmin),
    BUD_API_URL: `http://127.0.0.1:${ports.budusecases}`,
    BUD_CLUSTER_API_URL: `http://127.0.0.1:${ports.budcluster}`,
    TEST_DATABASE_URL: '',
  });

  beforeAll(async () => {
    ports = { budcluster: await freePort(), budusecases: await freePort(), budadmin: await freePort() };
    const cloned = spawnSync('git', ['clone', '--quiet', repoRoot, clone], { encoding: 'utf8' });
    expect(cloned.stderr).toBe('');
  });
  afterAll(async () => {
    if (platform && platform.exitCode === null) await ctrlC();
    rmSync(join(clone, '..'), { recursive: true, force: true });
  }, 120_000);

  /** Ctrl-C in a terminal signals the whole foreground process group. */
  async function ctrlC(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const running = platform!;
    process.kill(-running.pid!, 'SIGINT');
    if (running.exitCode !== null || running.signalCode !== null) return { code: running.exitCode, signal: running.signalCode };
    return new Promise((resolve) => running.once('exit', (code, signal) => resolve({ code, signal })));
  }
  /** Processes started from the clone (services, embedded databases) that are still alive. */
  const leftovers = () => spawnSync('pgrep', ['-f', clone], { encoding: 'utf8' }).stdout.trim();

  async function npmStart(): Promise<void> {
    // Picked again just before each start (not only before the install): a free port is free only until someone binds it.
    ports = { budcluster: await freePort(), budusecases: await freePort(), budadmin: await freePort() };
    output = '';
    platform = spawn('npm', ['start'], { cwd: clone, env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    platform.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    platform.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(
      () => output,
      (text) => text.includes('Open the UI:'),
      { what: 'npm start ready', timeoutMs: 240_000, intervalMs: 200, abortIf: () => platform!.exitCode !== null },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; npm start printed:\n${output.slice(-6000)}`);
    });
    expect(output).toContain(`http://127.0.0.1:${ports.budadmin}/usecases`);
  }

  const bud = (...args: string[]) =>
    spawnSync(process.execPath, [join(clone, 'apps/bud/bin/bud.js'), ...args], {
      cwd: clone,
      env: env(),
      encoding: 'utf8',
      timeout: 180_000,
    });
  const deploymentStatus = () => JSON.parse(bud('deployments', 'show', 'readme-rag', '--output', 'json').stdout).status as string;

  it('installs with npm install', () => {
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: clone,
      env: env(),
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect([install.status, install.stderr.split('\n').filter((l) => /ERR!/.test(l))]).toEqual([0, []]);
  }, 600_000);

  it('starts, deploys simple-rag-v1 with the CLI and sees it running', async () => {
    await npmStart();
    const deploy = bud(
      'deploy',
      'simple-rag-v1',
      '--cluster',
      'local',
      '--name',
      'readme-rag',
      '--set',
      'model_id=meta-llama/Llama-3.1-8B-Instruct',
      '--wait',
    );
    expect([deploy.status, deploy.stderr]).toEqual([0, '']);
    expect(deploy.stdout).toMatch(/running/);
    expect(deploymentStatus()).toBe('running');
    const api = await fetch(`http://127.0.0.1:${ports.budusecases}/api/v1/deployments`).then(
      (r) => r.json() as Promise<{ items: Array<{ name: string; status: string }> }>,
    );
    expect(api.items.find((d) => d.name === 'readme-rag')?.status).toBe('running');
  }, 300_000);

  it('stops cleanly on Ctrl-C, leaving no process behind', async () => {
    const { code, signal } = await ctrlC();
    // npm re-raises the Ctrl-C it was sent once the platform has exited 0.
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    await pollUntil(leftovers, (pids) => pids === '', { what: 'no process of the platform left' });
    for (const port of Object.values(ports)) {
      await pollUntil(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            () => 'listening',
            () => 'closed',
          ),
        (s) => s === 'closed',
        { what: `port ${port} closed` },
      );
    }
  }, 60_000);

  it('starts again with the deployment still there and still running', async () => {
    await npmStart();
    expect(await pollUntil(deploymentStatus, (s) => s === 'running', { what: 'readme-rag running after restart', timeoutMs: 60_000 })).toBe(
      'running',
    );
  }, 300_000);
});
