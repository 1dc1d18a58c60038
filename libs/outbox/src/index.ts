export * from './outbox-row';
export * from './outbox.repository';
export * from './outbox-relay';
export * from './outbox-metrics';
export * from './delivery-fates';
