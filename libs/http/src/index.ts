export * from './zod-pipe';
export * from './error-body';
export * from './error.filter';
export * from './auth.guard';
export * from './metrics';
export * from './openapi';
export * from './create-http-app';
export * from './health.controller';
