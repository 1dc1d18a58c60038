/** Injection tokens for the side-effect ports that tests swap (brief §7.6). */
export const CLOCK = Symbol('CLOCK');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
export const SECRET_BOX = Symbol('SECRET_BOX');
