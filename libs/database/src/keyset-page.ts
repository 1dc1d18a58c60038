import type { Page, TotalKind } from '@bud/contracts';
import { cursorAfter } from './keyset';
import type { ListTotal } from './list-total';

type Row = Record<string, unknown>;

/** The page of `rows` read with LIMIT page_size + 1, and the key of its last row when another row follows. */
export function splitPage(rows: Row[], pageSize: number): { shown: Row[]; last: { keyset_micros: unknown; id: unknown } | null } {
  const more = rows.length > pageSize;
  const shown = more ? rows.slice(0, pageSize) : rows;
  const last = shown[shown.length - 1];
  return { shown, last: more && last ? { keyset_micros: last.keyset_micros, id: last.id } : null };
}

/**
 * Everything of a keyset-paged answer but its items (docs/design.md#lists-and-pagination). The rows before and on a
 * page are known to exist, so an estimate is never below them; a numbered page that ends the list knows the exact
 * total whatever was counted or estimated.
 */
export function pageFields(
  query: { page: number; page_size: number },
  after: unknown,
  shown: number,
  last: { keyset_micros: unknown; id: unknown } | null,
  total: ListTotal,
  filters: Record<string, unknown>,
): Omit<Page<never>, 'items'> {
  const seen = (after ? 0 : (query.page - 1) * query.page_size) + shown;
  const known: ListTotal =
    !after && !last && (shown > 0 || query.page === 1)
      ? { total: seen, kind: 'exact' }
      : total.kind === 'estimate'
        ? { total: Math.max(total.total, seen + (last ? 1 : 0)), kind: 'estimate' }
        : total;
  const kind: TotalKind = known.kind;
  return {
    total: known.total,
    page: query.page,
    page_size: query.page_size,
    total_kind: kind,
    next_cursor: last ? cursorAfter(last, filters) : null,
    ...(kind === 'capped' ? { total_capped: true } : {}),
  };
}
