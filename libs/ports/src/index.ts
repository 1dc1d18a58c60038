export * from './clock';
export * from './tokens';
export * from './fault-injection';
