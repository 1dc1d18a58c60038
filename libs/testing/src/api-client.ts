import { randomUUID } from 'node:crypto';
import { signToken } from '@bud/auth';
import type { Scope } from '@bud/contracts';

export interface Caller {
  tenantId: string;
  userId: string;
  token: string;
}

/** Test answers are asserted on freely, whatever their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface HttpAnswer<T = any> {
  status: number;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (malformed JSON, oversized bodies). */
  raw?: string;
  /** null sends no token; undefined uses the default caller. */
  caller?: Caller | null;
  headers?: Record<string, string>;
}

export async function newCaller(secret: string, granted: Scope[], tenantId: string = randomUUID()): Promise<Caller> {
  const userId = randomUUID();
  return { tenantId, userId, token: await signToken(secret, { sub: userId, tenant_id: tenantId, scopes: granted }) };
}

/** One HTTP call as a client would make it; JSON bodies are parsed, anything else is kept as text. */
export async function callApi<T>(
  baseUrl: string,
  fallback: Caller | null,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const who = options.caller === undefined ? fallback : options.caller;
  if (who) headers.authorization = `Bearer ${who.token}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (metrics, SSE): keep the text
  }
  return { status: response.status, body: body as T };
}
