import type { CommandSpec } from './commands/command';
import { commands } from './commands';
import { parseInvocation } from './args';
import { UsageError } from './errors';

const run = (argv: string[]) => {
  const invocation = parseInvocation(argv, commands);
  if (invocation.kind !== 'run') throw new Error(`expected a command, got help`);
  return invocation;
};

const usageErrorOf = (argv: string[]): UsageError => {
  try {
    parseInvocation(argv, commands);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
};

describe('parseInvocation', () => {
  it.each([
    [['templates', 'list'], ['templates', 'list'], []],
    [['templates', 'show', 'simple-rag-v1'], ['templates', 'show'], ['simple-rag-v1']],
    [['deploy', 'simple-rag-v1', '--cluster', 'local', '--name', 'x'], ['deploy'], ['simple-rag-v1']],
    [['deployments', 'delete', 'my-rag', '--wait'], ['deployments', 'delete'], ['my-rag']],
  ])('finds the command of %j', (argv, words, positionals) => {
    const invocation = run(argv);
    expect(invocation.command.words).toEqual(words);
    expect(invocation.input.positionals).toEqual(positionals);
  });

  it('never takes an option value for a command word, wherever the options stand', () => {
    const invocation = run(['--cluster', 'local', '--api-url', 'http://h:1', 'deploy', '--name', 'x', 'simple-rag-v1']);
    expect(invocation.command.words).toEqual(['deploy']);
    expect(invocation.input.positionals).toEqual(['simple-rag-v1']);
    expect(invocation.input.string('cluster')).toBe('local');
    expect(invocation.input.string('api-url')).toBe('http://h:1');
  });

  it('collects every --set in order, in both spellings', () => {
    const invocation = run(['deploy', 't', '--cluster', 'c', '--name', 'n', '--set', 'a=1', '--set=b=two']);
    expect(invocation.input.strings('set')).toEqual(['a=1', 'b=two']);
  });

  it('reads booleans, -o and the output format', () => {
    const invocation = run(['deploy', 't', '--cluster', 'c', '--name', 'n', '--dry-run', '-o', 'json']);
    expect(invocation.input.boolean('dry-run')).toBe(true);
    expect(invocation.input.boolean('wait')).toBe(false);
    expect(invocation.input.format).toBe('json');
    expect(run(['templates', 'list']).input.format).toBe('table');
  });

  it.each([
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['deployments', '--help'], { kind: 'help', group: 'deployments' }],
  ])('answers help for %j', (argv, expected) => {
    expect(parseInvocation(argv, commands)).toEqual(expected);
  });

  it('answers the help of a command even when its arguments are incomplete', () => {
    const invocation = parseInvocation(['deploy', '--help'], commands);
    expect(invocation).toMatchObject({ kind: 'help', command: { words: ['deploy'] } });
  });

  it.each([
    ['no command at all', [], /no command given/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a group without its subcommand', ['deployments'], /'deployments' needs a subcommand/],
    ['an unknown subcommand', ['deployments', 'explode'], /unknown command 'deployments explode'/],
    ['an unknown option', ['templates', 'list', '--bogus'], /unknown option '--bogus'/],
    ['an option of another command', ['templates', 'list', '--wait'], /unknown option '--wait'/],
    ['a string option without its value', ['deploy', 't', '--name', 'n', '--cluster'], /--cluster needs a value/],
    ['a value for a flag', ['deploy', 't', '--cluster', 'c', '--name', 'n', '--wait=yes'], /--wait does not take a value/],
    ['a missing required option', ['deploy', 't', '--name', 'n'], /--cluster is required/],
    ['a missing argument', ['templates', 'show'], /missing <id>/],
    ['an extra argument', ['templates', 'show', 'a', 'b'], /unexpected argument 'b'/],
    ['an unknown output format', ['templates', 'list', '--output', 'yaml'], /--output must be table or json/],
  ])('refuses %s', (_, argv, message) => {
    expect(usageErrorOf(argv).message).toMatch(message);
  });

  it('shows the usage of the command that was meant', () => {
    expect(usageErrorOf(['deploy', 't', '--bogus']).usage).toMatch(
      /^Usage: bud deploy <template> --cluster <name\|id> --name <name> \[options\]/,
    );
  });

  it('gives every option one type across commands, so the first pass reads them all alike', () => {
    const types = new Map<string, string>();
    for (const command of commands as CommandSpec[]) {
      for (const [name, spec] of Object.entries(command.options)) {
        expect([undefined, spec.type]).toContain(types.get(name));
        types.set(name, spec.type);
      }
    }
  });
});

describe('whole-number options', () => {
  const timeout = (value?: string) =>
    run(['deployments', 'delete', 'x', ...(value === undefined ? [] : ['--timeout', value])]).input.integer('timeout', 600);

  it('reads a whole number within bounds', () => {
    expect(timeout('30')).toBe(30);
  });

  it('falls back to the default when the option is absent', () => {
    expect(timeout()).toBe(600);
  });

  it.each(['0', '1.5', 'soon', '999999999'])('refuses --timeout %s while parsing, before any command runs', (value) => {
    expect(usageErrorOf(['deployments', 'delete', 'x', '--wait', '--timeout', value]).message).toBe(
      `--timeout must be a whole number from 1 to 604800, got '${value}'`,
    );
  });

  it('bounds the page size by what the API accepts', () => {
    expect(usageErrorOf(['templates', 'list', '--page-size', '101']).message).toMatch(/--page-size must be a whole number from 1 to 100/);
  });
});
