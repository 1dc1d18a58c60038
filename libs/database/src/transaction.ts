import type { DataSource, EntityManager } from 'typeorm';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

declare const openTransaction: unique symbol;

/**
 * An open transaction as services see it: a handle they get from a repository's `transaction()` and
 * pass back to repository methods, with nothing on it to query. Only repositories open it (`managerOf`),
 * so services never import TypeORM.
 */
export interface Tx {
  readonly [openTransaction]: true;
}

/** Runs `work` in one transaction on `dataSource`: committed when it resolves, rolled back when it throws. */
export function runInTransaction<T>(dataSource: DataSource, work: (tx: Tx) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
  const run = (manager: EntityManager) => work(manager as unknown as Tx);
  return isolation ? dataSource.transaction(isolation, run) : dataSource.transaction(run);
}

/** The transaction's EntityManager, for the repository's SQL. */
export function managerOf(tx: Tx): EntityManager {
  return tx as unknown as EntityManager;
}
