export * from './common';
export * from './cluster';
export * from './job';
export * from './cloud-event';
export * from './component';
export * from './template';
export * from './deployment';
