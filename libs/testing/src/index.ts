export * from './poll-until';
export * from './test-database';
export * from './tcp-fault-proxy';
export * from './event-sink';
export * from './service-process';
export * from './api-client';
export * from './metric-value';
export * from './service-secret';
