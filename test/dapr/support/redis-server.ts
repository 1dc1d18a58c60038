import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort, pollUntil, signalAndWait } from '@bud/testing';
import { redisServerBinary } from './redis-binary';

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy(new Error('no answer to PING')));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().trim());
    });
    socket.once('error', reject);
  });
}

/** A throwaway Redis on a free loopback port: nothing persisted, gone with the process. */
export class RedisServer {
  private child?: ChildProcess;
  readonly output: string[] = [];
  port = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.child = spawn(redisServerBinary(), ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    await pollUntil(
      () => ping(this.port),
      (answer) => answer === '+PONG',
      {
        what: `redis-server on ${this.port}`,
        timeoutMs: 10_000,
        abortIf: () => this.child?.exitCode !== null,
      },
    );
  }

  stop(): Promise<void> {
    return signalAndWait(this.child, 'SIGTERM');
  }
}
