#!/usr/bin/env node
// `npx bud` from the repository: runs the compiled CLI, building dist/ first on a fresh clone.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..', '..', '..');
const entry = join(root, 'dist', 'apps', 'bud', 'src', 'main.js');
if (!existsSync(entry)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
require(entry);
