/** Injection tokens for the side-effect ports that tests swap (brief §7.6). */
export const CLOCK = Symbol('CLOCK');
export { EVENT_PUBLISHER } from '@bud/outbox';
export const SECRET_BOX = Symbol('SECRET_BOX');
