import { InitialSchema1764200000000 } from './1764200000000-initial-schema';

/** Append-only: never edit a migration that has landed. */
export const budclusterMigrations = [InitialSchema1764200000000];
