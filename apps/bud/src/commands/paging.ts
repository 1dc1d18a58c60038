import type { Page } from '@bud/contracts';
import type { ParsedInput } from '../args';
import type { OptionSpec } from './command';

export const pagingOptions: Readonly<Record<string, OptionSpec>> = {
  page: { type: 'string', value: 'n', integer: { min: 1, max: 1_000_000 }, description: 'page to show (default 1)' },
  'page-size': { type: 'string', value: 'n', integer: { min: 1, max: 100 }, description: 'items per page, up to 100 (default 100)' },
};

export function pageQuery(input: ParsedInput): { page: number; page_size: number } {
  return { page: input.integer('page', 1), page_size: input.integer('page-size', 100) };
}

/** A line under a table when the list has more than this page, or when it is empty. */
export function pageFooter(answer: Page<unknown>, noun: string): string | undefined {
  if (answer.items.length === 0) return answer.page > 1 ? `No ${noun} on page ${answer.page} (${answer.total} in all).` : `No ${noun}.`;
  const first = (answer.page - 1) * answer.page_size + 1;
  const last = first + answer.items.length - 1;
  if (first === 1 && last >= answer.total) return undefined;
  const more = last < answer.total ? `; --page ${answer.page + 1} for more` : '';
  return `Showing ${first}-${last} of ${answer.total}${answer.total_capped ? '+' : ''}${more}.`;
}
