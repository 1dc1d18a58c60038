export * from './event-publisher';
export * from './subject-order';
export * from './bulk-delivery';
export * from './dapr-event-publisher';
export * from './direct-event-publisher';
export * from './service-invoker';
