import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which service answers a path: clusters and their jobs are budcluster's, the rest of /api is budusecases'. */
export function upstreamFor(path: string, urls: { budcluster: string; budusecases: string }): string | null {
  if (path === '/api/v1/clusters' || path.startsWith('/api/v1/clusters/') || path.startsWith('/api/v1/clusters?')) return urls.budcluster;
  if (path.startsWith('/api/')) return urls.budusecases;
  return null;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/** Streams the request to `base` and the answer back unbuffered (server-sent events included). */
export function proxy(request: IncomingMessage, response: ServerResponse, base: string): void {
  const target = new URL(request.url ?? '/', base);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
  const upstream = http.request(target, { method: request.method, headers }, (answer) => {
    const forwarded = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    response.writeHead(answer.statusCode ?? 502, forwarded);
    answer.pipe(response);
  });
  upstream.on('error', () => {
    if (response.headersSent) return response.destroy();
    response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status_code: 502, error: 'service_unavailable', message: `the service behind ${target.pathname} is not reachable; is the platform running?` }));
  });
  // The browser closing an event stream must close the upstream one too.
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}
