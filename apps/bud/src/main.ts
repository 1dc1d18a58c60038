// The `bud` executable (apps/bud/bin/bud.js requires the compiled form of this file).
import { homedir } from 'node:os';
import { runCli } from './cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  homeDir: homedir(),
}).then((code) => {
  process.exitCode = code;
});
