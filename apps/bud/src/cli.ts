import { ApiClient } from './api/api-client';
import type { FetchFn } from './api/api-client';
import { ClusterApi } from './api/cluster-api';
import { UsecasesApi } from './api/usecases-api';
import type { Invocation, ParsedInput } from './args';
import { globalOptions, parseInvocation } from './args';
import type { CommandContext, CommandSpec, Output } from './commands/command';
import { commands } from './commands';
import type { CliConfig } from './config';
import { configFilePath, readConfigFile, resolveConfig } from './config';
import { EXIT_OK } from './errors';
import { describeError, exitCodeOf } from './format/errors';
import { commandHelp, groupUsage, overallHelp } from './usage';

/** What the CLI may touch of its process; tests pass their own. */
export interface CliEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  fetch?: FetchFn;
  now?: () => number;
}

/** Runs one command line and answers its exit code: 0 done, 1 refused or failed, 2 usage error. */
export async function runCli(
  argv: readonly string[],
  environment: CliEnvironment,
  table: readonly CommandSpec[] = commands,
): Promise<number> {
  try {
    const invocation = parseInvocation(argv, table);
    if (invocation.kind === 'help') {
      environment.stdout(`${helpFor(invocation, table)}\n`);
      return EXIT_OK;
    }
    await invocation.command.run(contextFor(invocation.input, loadConfig(invocation.input, environment), environment));
    return EXIT_OK;
  } catch (error) {
    environment.stderr(`${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

function helpFor(invocation: Extract<Invocation, { kind: 'help' }>, table: readonly CommandSpec[]): string {
  if (invocation.command) return commandHelp(invocation.command, globalOptions);
  if (invocation.group) return groupUsage(invocation.group, table);
  return overallHelp(table, globalOptions);
}

function loadConfig(input: ParsedInput, environment: CliEnvironment): CliConfig {
  const path = configFilePath(environment.env, environment.homeDir);
  const file = readConfigFile(path, environment.env.BUD_CONFIG !== undefined && environment.env.BUD_CONFIG !== '');
  return resolveConfig(
    { apiUrl: input.string('api-url'), clusterApiUrl: input.string('cluster-api-url'), token: input.string('token') },
    environment.env,
    file,
  );
}

function contextFor(input: ParsedInput, config: CliConfig, environment: CliEnvironment): CommandContext {
  const format = input.format;
  const write = (stream: (text: string) => void) => (text: string) => stream(`${text}\n`);
  const output: Output = {
    out: write(environment.stdout),
    progress: write(format === 'json' ? environment.stderr : environment.stdout),
    json: (value) => environment.stdout(`${JSON.stringify(value, null, 2)}\n`),
  };
  return {
    input,
    format,
    output,
    usecases: new UsecasesApi(new ApiClient('budusecases', config.apiUrl, config.token, environment.fetch)),
    clusters: new ClusterApi(new ApiClient('budcluster', config.clusterApiUrl, config.token, environment.fetch)),
    now: environment.now ?? Date.now,
  };
}
