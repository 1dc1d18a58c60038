export * from './safe-yaml';
