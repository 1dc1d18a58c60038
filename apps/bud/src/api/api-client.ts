import type { ErrorBody } from '@bud/contracts';
import type { ServiceName } from '../errors';
import { ApiError, ConnectionError } from '../errors';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Cancels the request; without one a request gives up after REQUEST_TIMEOUT_MS. */
  signal?: AbortSignal;
}

export type FetchFn = typeof fetch;

const REQUEST_TIMEOUT_MS = 60_000;

/** JSON over HTTP to one service, with its bearer token; failures become ApiError or ConnectionError. */
export class ApiClient {
  constructor(
    readonly service: ServiceName,
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  async get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query });
  }

  async post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.json<T>('POST', path, { body, query });
  }

  async patch<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.json<T>('PATCH', path, { body, query });
  }

  async delete<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('DELETE', path, { query });
  }

  async json<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The raw response of a successful request, for streams. */
  async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = this.urlOf(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ConnectionError(this.service, this.baseUrl, reasonOf(error));
    }
    if (!response.ok) throw await this.errorOf(response, method, path);
    return response;
  }

  private urlOf(path: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const encoded = search.toString();
    const suffix = encoded ? `?${encoded}` : '';
    return `${this.baseUrl}${path}${suffix}`;
  }

  private async errorOf(response: Response, method: string, path: string): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    const body = errorBodyOf(text);
    const message = body?.message ?? `${method} ${path} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    return new ApiError(this.service, response.status, body, message);
  }
}

function errorBodyOf(text: string): ErrorBody | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody> | null;
    if (parsed && typeof parsed.message === 'string' && typeof parsed.status_code === 'number') return parsed as ErrorBody;
  } catch {
    // not the platform's error body (a proxy's HTML page, say): the caller reports the raw text
  }
  return undefined;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
