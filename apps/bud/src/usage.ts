import type { CommandSpec, OptionSpec } from './commands/command';
import { renderColumns } from './format/table';

const TAGLINE = "bud: the Bud Foundry command line, over the platform's REST APIs (budusecases and budcluster).";

const CONFIG_NOTE = [
  'Configuration: flags first, then BUD_API_URL, BUD_CLUSTER_API_URL and BUD_TOKEN, then the JSON file',
  '$BUD_CONFIG (default ~/.config/bud/config.json) with the keys api_url, cluster_api_url and token.',
  'Exit codes: 0 success, 1 the platform refused or the work failed, 2 a usage error.',
].join('\n');

export function overallUsageLine(): string {
  return "Usage: bud <command> [options]\nRun 'bud --help' for the commands.";
}

export function overallHelp(commands: readonly CommandSpec[], globals: Readonly<Record<string, OptionSpec>>): string {
  return [
    TAGLINE,
    '',
    'Usage: bud <command> [options]',
    '',
    'Commands:',
    renderColumns(
      commands.map((c) => [[...c.words, ...c.args].join(' '), c.summary]),
      '  ',
    ),
    '',
    'Global options:',
    optionRows(globals),
    '',
    CONFIG_NOTE,
    '',
    "Run 'bud <command> --help' for a command's options.",
  ].join('\n');
}

export function commandUsageLine(command: CommandSpec): string {
  return `${synopsis(command)}\nRun 'bud ${command.words.join(' ')} --help' for its options.`;
}

export function commandHelp(command: CommandSpec, globals: Readonly<Record<string, OptionSpec>>): string {
  const own = Object.keys(command.options).length > 0 ? ['', 'Options:', optionRows(command.options)] : [];
  return [
    synopsis(command),
    '',
    command.summary + (command.details ? `\n\n${command.details}` : ''),
    ...own,
    '',
    'Global options:',
    optionRows(globals),
  ].join('\n');
}

export function groupUsage(group: string, commands: readonly CommandSpec[]): string {
  const members = commands.filter((c) => c.words[0] === group);
  return [
    `Usage: bud ${group} <${members.map((c) => c.words[1]).join('|')}> [options]`,
    '',
    renderColumns(
      members.map((c) => [[...c.words, ...c.args].join(' '), c.summary]),
      '  ',
    ),
  ].join('\n');
}

function synopsis(command: CommandSpec): string {
  const required = Object.entries(command.options)
    .filter(([, spec]) => spec.required)
    .map(([name, spec]) => `--${name} <${spec.value ?? 'value'}>`);
  return ['Usage: bud', ...command.words, ...command.args, ...required, '[options]'].join(' ');
}

function optionRows(options: Readonly<Record<string, OptionSpec>>): string {
  return renderColumns(
    Object.entries(options).map(([name, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
      const notes = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean).join(', ');
      return [flag, notes ? `${spec.description} (${notes})` : spec.description];
    }),
    '  ',
  );
}
