import { InitialSchema1764300000000 } from './1764300000000-initial-schema';
import { Day2Components1764400000000 } from './1764400000000-day2-components';

/** Append-only: never edit a migration that has landed. */
export const budusecasesMigrations = [InitialSchema1764300000000, Day2Components1764400000000];
