import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built UI. Hashed assets are cached for good; any other path gets index.html, so a deep
 * link like /deployments/<id> loads the app, which routes itself.
 */
export async function serveStatic(root: string, urlPath: string, response: ServerResponse): Promise<void> {
  const relative = normalize(decodeURIComponent(urlPath.split('?')[0])).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) file = join(root, 'index.html');
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) file = join(root, 'index.html');
  const immutable = file.includes(`${sep}assets${sep}`);
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
