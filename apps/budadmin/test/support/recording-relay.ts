import net from 'node:net';

/**
 * A TCP relay in front of a real service that keeps every byte sent to it, so a test can prove what
 * reached the service (and what never did). It forwards bytes; it does not emulate anything.
 */
export class RecordingRelay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly chunks: Buffer[] = [];
  port = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the service was sent so far (request lines, headers and bodies). */
  get transcript(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (chunk: Buffer) => this.chunks.push(chunk));
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Closes the port and every connection: the service is unreachable until `start()` again. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
