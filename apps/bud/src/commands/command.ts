import type { ClusterApi } from '../api/cluster-api';
import type { UsecasesApi } from '../api/usecases-api';
import type { ParsedInput } from '../args';

export type OutputFormat = 'table' | 'json';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder in usage: `--cluster <name|id>`. */
  value?: string;
  short?: string;
  multiple?: boolean;
  required?: boolean;
  /** A whole number within these bounds, checked with the rest of the command line. */
  integer?: { min: number; max: number };
}

export interface Output {
  /** One line (or block) to stdout. */
  out(text: string): void;
  /** Progress of a long wait: stdout for people, stderr when stdout carries JSON for a script. */
  progress(text: string): void;
  json(value: unknown): void;
}

export interface CommandContext {
  input: ParsedInput;
  format: OutputFormat;
  output: Output;
  usecases: UsecasesApi;
  clusters: ClusterApi;
  now(): number;
}

export interface CommandSpec {
  /** The words after `bud`: `['deployments', 'show']`. */
  words: readonly string[];
  /** Positional arguments as usage shows them; `[x]` marks an optional one. */
  args: readonly string[];
  summary: string;
  /** More help under the usage line. */
  details?: string;
  options: Readonly<Record<string, OptionSpec>>;
  run(context: CommandContext): Promise<void>;
}
