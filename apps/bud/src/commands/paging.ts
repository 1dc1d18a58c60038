import type { Page } from '@bud/contracts';
import type { ParsedInput } from '../args';
import type { OptionSpec } from './command';

export const pagingOptions: Readonly<Record<string, OptionSpec>> = {
  page: { type: 'string', value: 'n', integer: { min: 1, max: 1_000_000 }, description: 'page to show (default 1)' },
  'page-size': { type: 'string', value: 'n', integer: { min: 1, max: 100 }, description: 'items per page, up to 100 (default 100)' },
};

/** For lists paged by cursor too (docs/design.md#lists-and-pagination): the footer names the next page's token. */
export const cursorPagingOptions: Readonly<Record<string, OptionSpec>> = {
  ...pagingOptions,
  cursor: { type: 'string', value: 'token', description: 'continue where the page whose footer gave this token ended (instead of --page)' },
};

export function pageQuery(input: ParsedInput): { page: number; page_size: number } {
  return { page: input.integer('page', 1), page_size: input.integer('page-size', 100) };
}

export function cursorPageQuery(input: ParsedInput): { page: number; page_size: number; cursor?: string } {
  const cursor = input.string('cursor');
  return { ...pageQuery(input), ...(cursor !== undefined ? { cursor } : {}) };
}

function totalText(answer: Page<unknown>): string {
  if (answer.total_kind === 'estimate') return `about ${answer.total}`;
  return `${answer.total}${answer.total_capped ? '+' : ''}`;
}

/** A line under a table when the list has more than this page, or when it is empty. `cursor`: the page came by --cursor. */
export function pageFooter(answer: Page<unknown>, noun: string, cursor?: string): string | undefined {
  const nextCursor = answer.next_cursor ? `--cursor ${answer.next_cursor}` : undefined;
  if (cursor !== undefined) {
    const more = nextCursor ? `; ${nextCursor} for more` : '';
    return answer.items.length === 0
      ? `No more ${noun} (${totalText(answer)} in all).`
      : `Showing ${answer.items.length} more of ${totalText(answer)}${more}.`;
  }
  if (answer.items.length === 0)
    return answer.page > 1 ? `No ${noun} on page ${answer.page} (${totalText(answer)} in all).` : `No ${noun}.`;
  const first = (answer.page - 1) * answer.page_size + 1;
  const last = first + answer.items.length - 1;
  const hasMore = answer.next_cursor !== undefined ? answer.next_cursor !== null : last < answer.total;
  if (first === 1 && !hasMore) return undefined;
  const more = hasMore ? `; --page ${answer.page + 1}${nextCursor ? ` or ${nextCursor}` : ''} for more` : '';
  return `Showing ${first}-${last} of ${totalText(answer)}${more}.`;
}
