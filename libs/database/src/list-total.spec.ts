import type { DataSource } from 'typeorm';
import { listTotal } from './list-total';

/** A data source whose planner estimates `planned` rows and whose count finds `counted`. */
function database(planned: number, counted: number): { db: DataSource; statements: string[] } {
  const statements: string[] = [];
  const query = async (sql: string) => {
    statements.push(sql);
    return sql.startsWith('EXPLAIN') ? [{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': planned } }] }] : [{ total: counted }];
  };
  return { db: { query } as unknown as DataSource, statements };
}

describe('listTotal', () => {
  it.each([
    ['a small set is counted exactly', 40, 37, { total: 37, kind: 'exact' }, 2],
    ['an estimate that was low is caught by the cap', 40, 1001, { total: 1000, kind: 'capped' }, 2],
    ['a large set is the estimate, and nothing is counted', 250_000, 0, { total: 250_000, kind: 'estimate' }, 1],
    ['the cap itself is still counted', 1000, 1000, { total: 1000, kind: 'exact' }, 2],
  ])('%s', async (_name, planned, counted, expected, statementCount) => {
    const { db, statements } = database(planned, counted);
    expect(await listTotal(db, 'FROM jobs WHERE tenant_id = $1', ['t'], 1000)).toEqual(expected);
    expect(statements).toHaveLength(statementCount);
    if (statementCount === 2) expect(statements[1]).toContain('LIMIT 1001');
  });

  it('reads a plan the driver hands over as text', async () => {
    const db = { query: async () => [{ 'QUERY PLAN': JSON.stringify([{ Plan: { 'Plan Rows': 5000 } }]) }] } as unknown as DataSource;
    expect(await listTotal(db, 'FROM jobs', [], 1000)).toEqual({ total: 5000, kind: 'estimate' });
  });
});
