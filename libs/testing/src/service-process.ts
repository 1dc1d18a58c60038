import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pollUntil } from './poll-until';

/** The repository root, whether this file runs from source (jest) or from dist/ (bench). */
export const repoRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** A built service (dist/) running as its own OS process, as `npm start` would run it. */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
    readonly port: number,
    private readonly nodeArgs: string[] = [],
  ) {}

  /** True once the process has ended (killed, crashed or stopped). */
  get exited(): boolean {
    return !!this.child && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.child = spawn(process.execPath, [...this.nodeArgs, join(repoRoot, this.entry)], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    await pollUntil(
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`exited: ${this.output.join('').slice(-2000)}`);
        return (await fetch(`${this.url}/readyz`)).status;
      },
      (status) => status === 200,
      { timeoutMs, intervalMs: 100, what: `${this.entry} ready` },
    );
  }

  /** SIGKILL: no shutdown hooks, no chance to finish in-flight work. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return signalAndWait(this.child, signal);
  }
}

/** Sends `signal` to a child process that still runs and resolves once it has exited. */
export async function signalAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
