import { InitialSchema1764300000000 } from './1764300000000-initial-schema';

/** Append-only: never edit a migration that has landed. */
export const budusecasesMigrations = [InitialSchema1764300000000];
