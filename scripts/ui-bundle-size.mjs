// Prints what the browser downloads before the catalog renders (entry script + modulepreloads, gzip),
// and fails the UI build when it passes the budget of issue 4 (500 kB gzip).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 500 * 1024;
const dir = join(import.meta.dirname, '..', 'dist', 'budadmin');
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of initial) {
  const size = gzipSync(readFileSync(join(dir, file))).length;
  total += size;
  console.log(`ui: ${file} ${(size / 1024).toFixed(1)} kB gzip`);
}
console.log(`ui: initial JS ${(total / 1024).toFixed(1)} kB gzip (budget ${BUDGET / 1024} kB)`);
if (total > BUDGET) {
  console.error('ui: the initial bundle is over budget');
  process.exit(1);
}
