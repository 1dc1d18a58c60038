import type { Page } from '@bud/contracts';
import type { CommandContext } from './command';
import { pageFooter } from './paging';

/** A list answer: the raw page as JSON, or a table and a footer. `cursor`: the page was asked for by --cursor. */
export function printPage<T>(
  context: CommandContext,
  answer: Page<T>,
  noun: string,
  table: (items: readonly T[]) => string,
  cursor?: string,
): void {
  if (context.format === 'json') return context.output.json(answer);
  if (answer.items.length > 0) context.output.out(table(answer.items));
  const footer = pageFooter(answer, noun, cursor);
  if (footer) context.output.out(footer);
}
