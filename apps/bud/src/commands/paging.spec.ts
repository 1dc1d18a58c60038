import type { Page } from '@bud/contracts';
import { pageFooter } from './paging';

const page = (fields: Partial<Page<unknown>> & { count: number }): Page<unknown> => {
  const { count, ...rest } = fields;
  return { items: Array.from({ length: count }, (_, i) => i), total: count, page: 1, page_size: 20, ...rest };
};

describe('pageFooter', () => {
  it.each<[string, Page<unknown>, string | undefined, string | undefined]>([
    ['a list that fits one page says nothing', page({ count: 3, next_cursor: null, total_kind: 'exact' }), undefined, undefined],
    ['an empty list', page({ count: 0, total: 0 }), undefined, 'No jobs.'],
    ['an old server: numbers only', page({ count: 20, total: 45 }), undefined, 'Showing 1-20 of 45; --page 2 for more.'],
    [
      'a capped count',
      page({ count: 20, total: 10_000, total_capped: true, total_kind: 'capped' }),
      undefined,
      'Showing 1-20 of 10000+; --page 2 for more.',
    ],
    [
      'an estimate and a cursor',
      page({ count: 20, total: 1_000_000, total_kind: 'estimate', next_cursor: 'tok' }),
      undefined,
      'Showing 1-20 of about 1000000; --page 2 or --cursor tok for more.',
    ],
    ['the last numbered page', page({ count: 5, total: 25, page: 2, next_cursor: null }), undefined, 'Showing 21-25 of 25.'],
    [
      'a page reached by cursor, more to come',
      page({ count: 20, total: 90, total_kind: 'exact', next_cursor: 'tok2' }),
      'tok1',
      'Showing 20 more of 90; --cursor tok2 for more.',
    ],
    ['the last page reached by cursor', page({ count: 7, total: 90, next_cursor: null }), 'tok1', 'Showing 7 more of 90.'],
    ['a cursor past the end', page({ count: 0, total: 90, next_cursor: null }), 'tok1', 'No more jobs (90 in all).'],
  ])('%s', (_name, answer, cursor, footer) => {
    expect(pageFooter(answer, 'jobs', cursor)).toBe(footer);
  });
});
