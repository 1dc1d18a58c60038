// Compiles every TypeScript source of apps/, libs/ and scripts/ to dist/ (CommonJS) with swc.
// swc rewrites the @bud/* path aliases to relative requires, so dist/ runs on plain node.
import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'scripts'];
// The web UI's sources are bundled by Vite (npm run build:ui); only its server is compiled here.
const skipped = /(\.spec\.ts|\.d\.ts)$|\/(node_modules|test|e2e-ui)\/|apps\/budadmin\/src\//;
const { compilerOptions } = JSON.parse((await import('node:fs')).readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') yield* walk(path);
    } else if (entry.name.endsWith('.ts') && !skipped.test(path)) {
      yield path;
    }
  }
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
    baseUrl: root,
    paths: compilerOptions.paths,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};

const files = [];
for (const sourceRoot of sourceRoots) {
  const dir = join(root, sourceRoot);
  if (await stat(dir).catch(() => null)) for await (const f of walk(dir)) files.push(f);
}
const started = Date.now();
await Promise.all(
  files.map(async (file) => {
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(target), file) });
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeFile(`${target}.map`, map);
  }),
);
console.log(`build: ${files.length} files compiled to dist/ in ${Date.now() - started} ms`);
