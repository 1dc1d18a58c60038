import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, pollUntil, repoRoot, signalAndWait } from '@bud/testing';
import { binary } from '../../../scripts/testbed/go-build';

export interface SidecarOptions {
  appId: string;
  appPort: number;
  /** The Configuration file (name resolution for sidecars on one host). */
  configFile: string;
  /** host:port of the Redis that deploy/dapr/pubsub.yaml reads from REDIS_HOST. */
  redisHost: string;
  /** Dapr's app API token: daprd sends it to the app as `dapr-api-token` on every call. */
  appApiToken: string;
}

/** A daprd sidecar in standalone mode, with the project's own components from deploy/dapr/. */
export class DaprdSidecar {
  private child?: ChildProcess;
  readonly output: string[] = [];
  httpPort = 0;

  constructor(private readonly options: SidecarOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get exited(): boolean {
    return !!this.child && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  /** The HTTP port is chosen up front: the app is told it (DAPR_HTTP_PORT) before the sidecar starts. */
  async reservePort(): Promise<number> {
    this.httpPort ||= await freePort();
    return this.httpPort;
  }

  async start(): Promise<void> {
    await this.reservePort();
    const [grpcPort, internalGrpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const { appId, appPort, configFile, redisHost, appApiToken } = this.options;
    this.child = spawn(
      binary('daprd'),
      [
        '--mode',
        'standalone',
        '--app-id',
        appId,
        '--app-port',
        String(appPort),
        '--app-protocol',
        'http',
        '--app-channel-address',
        '127.0.0.1',
        '--dapr-listen-addresses',
        '127.0.0.1',
        '--dapr-http-port',
        String(this.httpPort),
        '--dapr-grpc-port',
        String(grpcPort),
        '--dapr-internal-grpc-port',
        String(internalGrpcPort),
        '--metrics-port',
        String(metricsPort),
        '--resources-path',
        join(repoRoot, 'deploy', 'dapr'),
        '--config',
        configFile,
        '--log-level',
        'info',
      ],
      { env: { PATH: process.env.PATH ?? '', REDIS_HOST: redisHost, APP_API_TOKEN: appApiToken }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    // 204 once the components are loaded and the app channel is up (the app answers on its port).
    await pollUntil(
      async () => (await fetch(`${this.url}/v1.0/healthz`)).status,
      (status) => status === 204,
      {
        what: `daprd ${appId} healthy`,
        timeoutMs: 30_000,
        intervalMs: 100,
        abortIf: () => this.exited,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.output.join('').slice(-3000)}`);
    });
  }

  async metadata(): Promise<any> {
    return (await fetch(`${this.url}/v1.0/metadata`)).json();
  }

  stop(): Promise<void> {
    return signalAndWait(this.child, 'SIGTERM');
  }
}
