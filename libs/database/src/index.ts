export * from './data-source';
export * from './embedded-postgres';
export * from './row-mapper';
export * from './pool-query';
export * from './migrate';
export * from './migrate-command';
export * from './transaction';
export * from './database.module';
