import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson } from './post-json';

describe('postJson', () => {
  let server: http.Server;
  let base: URL;
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (request.url === '/big') response.end('x'.repeat(200 * 1024));
        else if (request.url === '/silent') return;
        else if (request.url === '/text') response.writeHead(500).end('not json');
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"DROP"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the body with its headers and answers the status and parsed JSON', async () => {
    const answer = await postJson(new URL('/ok', base), '{"a":1}', { 'content-type': 'application/json', authorization: 'Bearer t' }, 5000);
    expect(answer).toEqual({ status: 200, body: { status: 'DROP' } });
    expect(received.at(-1)).toMatchObject({ body: '{"a":1}', headers: { authorization: 'Bearer t', 'content-length': '7' } });
  });

  it('answers an unparsable body as undefined with its status', async () => {
    expect(await postJson(new URL('/text', base), '{}', {}, 5000)).toEqual({ status: 500, body: undefined });
  });

  it('fails a request the server never answers once the timeout passes', async () => {
    await expect(postJson(new URL('/silent', base), '{}', {}, 200)).rejects.toThrow('within 200 ms');
  });

  it('refuses an answer larger than a delivery answer can be', async () => {
    await expect(postJson(new URL('/big', base), '{}', {}, 5000)).rejects.toThrow('exceeds');
  });
});
