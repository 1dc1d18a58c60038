export * from './common';
export * from './cluster';
export * from './job';
export * from './job-status-transitions';
export * from './cloud-event';
export * from './component';
export * from './template';
export * from './deployment';
