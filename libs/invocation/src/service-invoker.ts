import { AppError } from '@bud/errors';
import type { ErrorBody } from '@bud/contracts';

export interface InvokeOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  token?: string;
  timeoutMs?: number;
}

export interface InvokeResult<T> {
  status: number;
  body: T;
}

/**
 * Calls another service by app id: through the Dapr sidecar when `DAPR_HTTP_PORT` is set,
 * otherwise straight to its base URL. The caller's token is forwarded either way.
 */
export class ServiceInvoker {
  constructor(private readonly target: { daprHttpPort?: number; directUrls: Record<string, string> }) {}

  urlFor(appId: string, path: string): string {
    if (this.target.daprHttpPort) return `http://127.0.0.1:${this.target.daprHttpPort}/v1.0/invoke/${appId}/method${path}`;
    const base = this.target.directUrls[appId];
    if (!base) throw new Error(`no direct URL configured for app '${appId}'`);
    return `${base.replace(/\/$/, '')}${path}`;
  }

  /** Returns 2xx and 4xx answers to the caller (they are the other service's verdict); throws on 5xx and network errors. */
  async invoke<T>(appId: string, options: InvokeOptions): Promise<InvokeResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(this.urlFor(appId, options.path), {
        method: options.method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new AppError('upstream_unavailable', `${appId} is unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    if (response.status >= 500) {
      const message = (body as Partial<ErrorBody> | undefined)?.message ?? `HTTP ${response.status}`;
      throw new AppError('upstream_unavailable', `${appId} failed: ${message}`);
    }
    return { status: response.status, body };
  }
}
