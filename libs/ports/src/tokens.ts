/** Injection tokens for the side-effect ports both services provide and their tests swap. */
export const CLOCK = Symbol('CLOCK');
export const SECRET_BOX = Symbol('SECRET_BOX');
