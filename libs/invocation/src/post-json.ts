import http from 'node:http';
import https from 'node:https';

export interface JsonAnswer {
  status: number;
  /** The parsed body, or undefined when it was empty or not JSON. */
  body: unknown;
}

/** Longest answer body read: a delivery answer is a status word, not a document. */
const MAX_ANSWER_BYTES = 64 * 1024;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * One POST of a JSON body on kept-alive sockets. The outbox relay delivers every event this way; node:http costs a
 * fraction of what fetch costs per request (no web streams, no per-request abort signal), which the create path feels.
 */
export function postJson(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<JsonAnswer> {
  const client = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method: 'POST', agent, timeout: timeoutMs, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) response.destroy(new Error(`the answer from ${url.origin} exceeds ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
