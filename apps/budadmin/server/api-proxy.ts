import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@bud/errors';
import { sendError } from './error-response';

export interface Upstreams {
  budcluster: string;
  budusecases: string;
}

/**
 * The public REST API the UI and the CLI use, by its first segment under /api/v1, and the service that owns
 * it. Everything else of the services (job events, Dapr routes, metrics, health, docs) is never forwarded.
 */
const PUBLIC_API: Record<string, keyof Upstreams> = {
  clusters: 'budcluster',
  usage: 'budcluster',
  invoices: 'budcluster',
  budgets: 'budcluster',
  components: 'budusecases',
  templates: 'budusecases',
  deployments: 'budusecases',
};

/** The base URL of the service answering `path` (already checked by checkRequestTarget), or null when it is not public. */
export function upstreamFor(path: string, urls: Upstreams): string | null {
  const [, api, version, resource] = path.split('/');
  if (api !== 'api' || version !== 'v1' || resource === undefined || !Object.hasOwn(PUBLIC_API, resource)) return null;
  return urls[PUBLIC_API[resource]];
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);
/** Dapr's headers (its app API token above all) are the sidecars' business, never a browser's. */
const forwardable = (name: string) => !HOP_BY_HOP.has(name) && !name.startsWith('dapr-');

/** Streams the request to `base` + `target` and the answer back unbuffered (server-sent events included). */
export function proxy(request: IncomingMessage, response: ServerResponse, base: string, target: string): void {
  const url = new URL(target, base);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => forwardable(name)));
  const upstream = http.request(url, { method: request.method, headers }, (answer) => {
    const forwarded = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    response.writeHead(answer.statusCode ?? 502, forwarded);
    answer.pipe(response);
  });
  upstream.on('error', () => {
    if (response.headersSent) return response.destroy();
    sendError(
      response,
      new AppError('upstream_unavailable', `the service behind ${url.pathname} is not reachable; is the platform running?`),
    );
  });
  // The browser closing an event stream must close the upstream one too.
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}
