export * from './clock';
export * from './tokens';
