import type { FetchFn } from '../../src/api/api-client';
import { runCli } from '../../src/cli';

export interface Call {
  method: string;
  url: string;
  body?: unknown;
  authorization?: string;
}

export type Route = (call: Call) => { status: number; body?: unknown };

/** fetch as the CLI sees it: answers by method and path, and remembers what was asked. */
export function fakeFetch(routes: Record<string, Route>) {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : input.toString();
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init?.method ?? 'GET',
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      authorization: headers.authorization,
    };
    calls.push(call);
    const route = routes[`${call.method} ${new URL(url).pathname}`];
    if (!route) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const answer = route(call);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as FetchFn;
  return { fetchFn, calls };
}

/** One command line through runCli with a fixed clock and no config file. */
export async function bud(argv: string[], fetchFn: FetchFn, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { BUD_CONFIG: '', ...env },
    homeDir: '/nonexistent-home',
    fetch: fetchFn,
    now: () => Date.parse('2026-01-10T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

export const page = <T>(items: T[]) => ({ status: 200, body: { items, total: items.length, page: 1, page_size: 100 } });
