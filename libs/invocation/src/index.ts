export * from './event-publisher';
export * from './dapr-event-publisher';
export * from './direct-event-publisher';
export * from './service-invoker';
