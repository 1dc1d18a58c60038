// `npm run docs`: rewrites the generated parts of README.md (the configuration tables) from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@bud/testing';
import { envTables } from './env-tables';
import { replaceGenerated } from './generated-block';

const readme = join(repoRoot, 'README.md');
writeFileSync(readme, replaceGenerated(readFileSync(readme, 'utf8'), 'env-tables', envTables()));
process.stdout.write('README.md: configuration tables regenerated\n');
