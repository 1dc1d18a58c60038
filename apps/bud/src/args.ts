import { parseArgs } from 'node:util';
import type { CommandSpec, OptionSpec, OutputFormat } from './commands/command';
import { UsageError } from './errors';
import { commandUsageLine, groupUsage, overallUsageLine } from './usage';

export const globalOptions: Readonly<Record<string, OptionSpec>> = {
  'api-url': { type: 'string', value: 'url', description: 'budusecases URL (env BUD_API_URL; default http://127.0.0.1:9084)' },
  'cluster-api-url': {
    type: 'string',
    value: 'url',
    description: 'budcluster URL (env BUD_CLUSTER_API_URL; default http://127.0.0.1:9082)',
  },
  token: { type: 'string', value: 'jwt', description: 'bearer token (env BUD_TOKEN); not needed in dev mode' },
  output: {
    type: 'string',
    short: 'o',
    value: 'table|json',
    description: 'table for people (default), json for scripts: the raw API response',
  },
  help: { type: 'boolean', short: 'h', description: 'show usage' },
};

type OptionValue = string | boolean | Array<string | boolean> | undefined;

/** The options and arguments of one command, as given. */
export class ParsedInput {
  constructor(
    readonly positionals: readonly string[],
    private readonly values: Readonly<Record<string, OptionValue>>,
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** For options the command declares as required (checked while parsing). */
  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new UsageError(`--${name} is required`);
    return value;
  }

  boolean(name: string): boolean {
    return this.values[name] === true;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    const all = Array.isArray(value) ? value : [value];
    return all.filter((v): v is string => typeof v === 'string');
  }

  /** An option declared `integer` (so already checked), or the default when it is absent. */
  integer(name: string, fallback: number): number {
    const raw = this.string(name);
    return raw === undefined ? fallback : Number(raw);
  }

  get format(): OutputFormat {
    return this.string('output') === 'json' ? 'json' : 'table';
  }
}

export type Invocation =
  { kind: 'help'; command?: CommandSpec; group?: string } | { kind: 'run'; command: CommandSpec; input: ParsedInput };

/**
 * Finds the command in argv, then parses argv strictly against that command's options. The first,
 * lenient pass knows every command's options, so that a value like `--cluster local` is never taken
 * for a command word.
 */
export function parseInvocation(argv: readonly string[], commands: readonly CommandSpec[]): Invocation {
  const lenient = parseArgs({ args: [...argv], options: toParseArgsOptions(allOptions(commands)), strict: false, allowPositionals: true });
  const wantsHelp = lenient.values.help === true;
  const words = lenient.positionals;
  if (words.length === 0) {
    if (wantsHelp) return { kind: 'help' };
    throw new UsageError('no command given', overallUsageLine());
  }
  const group = commands.filter((c) => c.words[0] === words[0]);
  if (group.length === 0) throw new UsageError(`unknown command '${words[0]}'`, overallUsageLine());
  const command = group.find((c) => c.words.length === 1 || c.words[1] === words[1]);
  if (!command) {
    if (wantsHelp && words.length === 1) return { kind: 'help', group: words[0] };
    const message = words.length === 1 ? `'${words[0]}' needs a subcommand` : `unknown command '${words[0]} ${words[1]}'`;
    throw new UsageError(message, groupUsage(words[0], commands));
  }
  if (wantsHelp) return { kind: 'help', command };
  return { kind: 'run', command, input: parseCommandArgs(argv, command) };
}

function parseCommandArgs(argv: readonly string[], command: CommandSpec): ParsedInput {
  const options = { ...globalOptions, ...command.options };
  refuseNegativeIntegers(argv, options, command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const args = negativeNumbersAsValues(argv, options);
    parsed = parseArgs({ args, options: toParseArgsOptions(options), strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(describeParseError(error), commandUsageLine(command));
  }
  const positionals = parsed.positionals.slice(command.words.length);
  const required = command.args.filter((a) => !a.startsWith('['));
  if (positionals.length < required.length) {
    throw new UsageError(`missing ${required.slice(positionals.length).join(' ')}`, commandUsageLine(command));
  }
  if (positionals.length > command.args.length) {
    throw new UsageError(`unexpected argument '${positionals[command.args.length]}'`, commandUsageLine(command));
  }
  for (const [name, spec] of Object.entries(options)) {
    const value = parsed.values[name];
    if (spec.required && value === undefined) throw new UsageError(`--${name} is required`, commandUsageLine(command));
    if (spec.integer && typeof value === 'string' && !isWholeNumberWithin(value, spec.integer)) {
      throw new UsageError(
        `--${name} must be a whole number from ${spec.integer.min} to ${spec.integer.max}, got '${value}'`,
        commandUsageLine(command),
      );
    }
  }
  const output = parsed.values.output;
  if (output !== undefined && output !== 'table' && output !== 'json') {
    throw new UsageError(`--output must be table or json, got '${String(output)}'`, commandUsageLine(command));
  }
  return new ParsedInput(positionals, parsed.values);
}

/** `--replicas -1` reads to node:util as an option where a value belongs; say what is wrong with the number instead. */
function refuseNegativeIntegers(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>, command: CommandSpec): void {
  for (const [i, arg] of argv.entries()) {
    const spec = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    const value = argv[i + 1];
    if (spec?.integer && value !== undefined && /^-\d/.test(value)) {
      throw new UsageError(
        `${arg} must be a whole number from ${spec.integer.min} to ${spec.integer.max}, got '${value}'`,
        commandUsageLine(command),
      );
    }
  }
}

/**
 * `--weight -1` reads to node:util as an option where a value belongs: a string option followed by a negative
 * number takes it as its value (`--weight=-1`), so the command's own check can say what is wrong with it.
 */
function negativeNumbersAsValues(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const spec = argv[i].startsWith('--') ? options[argv[i].slice(2)] : undefined;
    const value = argv[i + 1];
    if (spec?.type === 'string' && value !== undefined && /^-\d/.test(value)) {
      args.push(`${argv[i]}=${value}`);
      i++;
    } else args.push(argv[i]);
  }
  return args;
}

function isWholeNumberWithin(raw: string, bounds: { min: number; max: number }): boolean {
  return /^\d+$/.test(raw) && Number(raw) >= bounds.min && Number(raw) <= bounds.max;
}

function allOptions(commands: readonly CommandSpec[]): Record<string, OptionSpec> {
  return Object.assign({}, globalOptions, ...commands.map((c) => c.options)) as Record<string, OptionSpec>;
}

function toParseArgsOptions(options: Readonly<Record<string, OptionSpec>>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) },
    ]),
  );
}

/** node:util's messages, without their advice on positionals that start with a dash. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${message.match(/'[^']+'/)?.[0] ?? message}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = message.match(/'(-[^' ]+)/)?.[1] ?? '';
    return message.includes('does not take an argument') ? `${option} does not take a value` : `${option} needs a value`;
  }
  return message.split('\n')[0];
}
