// Starts the control plane's programs detached (they outlive `up`), each with a log file and a pid file,
// and stops exactly the processes those pid files name.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './layout';
import { progress } from './progress';

export function logFile(name: string): string {
  return join(paths.logs, `${name}.log`);
}

/** Starts `binary args` (with `env` added) in its own process group; its output goes to .testbed/run/logs/<name>.log. */
export function startProcess(name: string, binary: string, args: string[], env: Record<string, string> = {}): number {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.pids, { recursive: true });
  const out = openSync(logFile(name), 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  child.unref();
  writeFileSync(join(paths.pids, `${name}.pid`), `${child.pid}\n`);
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

// A killed child of this very process stays a zombie until it is reaped; signal 0 still reaches it.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export function pidOf(name: string): number | undefined {
  const file = join(paths.pids, `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The last lines of a program's log, for error messages. */
export function logTail(name: string, lines = 20): string {
  const file = logFile(name);
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Waits until `probe` answers true; fails early when the process died, or after timeoutMs. */
export async function waitFor(name: string, pid: number, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (!isAlive(pid)) throw new Error(`${name} exited during start-up; last log lines:\n${logTail(name)}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs / 1000} s; last log lines:\n${logTail(name)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SIGTERM to the process of every pid file (reverse start order), SIGKILL after a grace period. */
export async function stopAll(order: string[]): Promise<void> {
  if (!existsSync(paths.pids)) return;
  const names = readdirSync(paths.pids)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => f.slice(0, -4))
    .sort((a, b) => order.indexOf(b) - order.indexOf(a));
  for (const name of names) await stopOne(name);
}

/** SIGTERM to the process of one pid file, SIGKILL after 10 s; removes the pid file. */
export async function stopOne(name: string): Promise<void> {
  const pid = pidOf(name);
  if (pid !== undefined && isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      const killDeadline = Date.now() + 10_000;
      while (isAlive(pid) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    progress('down', `stopped ${name} (pid ${pid})`);
  }
  rmSync(join(paths.pids, `${name}.pid`), { force: true });
}
