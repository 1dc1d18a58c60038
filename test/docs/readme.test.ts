import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@bud/testing';
import { envTables } from '../../scripts/docs/env-tables';
import { generatedBlock } from '../../scripts/docs/generated-block';

/** The README promises commands, files and settings; each promise is checked against the repository. */
describe('README.md matches the code', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('keeps the two set-up commands at the top', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm install && npm test');
  });

  it('has configuration tables generated from the config schemas (npm run docs)', () => {
    expect(generatedBlock(readme, 'env-tables')).toBe(envTables());
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !scripts[name])).toEqual([]);
  });

  it('links only files that exist', () => {
    const linked = [
      ...readme.matchAll(/\]\(((?:docs|deploy|apps|libs)\/[^)#\s]+)\)/g),
      ...readme.matchAll(/`((?:docs|deploy)\/[\w./-]+\.(?:md|yaml|png))`/g),
    ].map((m) => m[1]);
    expect(linked.length).toBeGreaterThan(3);
    expect(linked.filter((path) => !existsSync(join(repoRoot, path)))).toEqual([]);
  });
});
