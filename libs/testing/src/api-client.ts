import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { signToken } from '@bud/auth';
import { errorBodySchema } from '@bud/contracts';
import type { Scope } from '@bud/contracts';

export interface Caller {
  tenantId: string;
  userId: string;
  token: string;
}

/** Test answers are asserted on freely, whatever their shape, unless a contract schema types them. */
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

/**
 * With `schema` (the route's response schema from libs/contracts) a 2xx body must parse with it and
 * any other body with the error schema, so an answer that drifts from the contract fails the test.
 */
export interface TypedRequestOptions<T> extends RequestOptions {
  schema: z.ZodType<T>;
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
  options: RequestOptions | TypedRequestOptions<T> = {},
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
  if ('schema' in options) checkContract(`${method} ${path}`, response.status, body, options.schema);
  return { status: response.status, body: body as T };
}

/** Throws naming the route and every field that differs; the body itself is kept as sent (unknown keys too). */
export function checkContract(route: string, status: number, body: unknown, schema: z.ZodType): void {
  if (status === 204) return;
  const expected = status >= 200 && status < 300 ? schema : errorBodySchema;
  const parsed = expected.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw new Error(`${route} answered ${status} outside its contract: ${problems.join('; ')}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
}
