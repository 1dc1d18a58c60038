import { InitialSchema1764200000000 } from './1764200000000-initial-schema';
import { JobsStatusPageIndex1764900000000 } from './1764900000000-jobs-status-page-index';

/** Append-only: never edit a migration that has landed. */
export const budclusterMigrations = [InitialSchema1764200000000, JobsStatusPageIndex1764900000000];
