export * from './quantity';
export * from './cost';
export * from './helm-safety';
export * from './forbidden-host';
export * from './canonical-json';
