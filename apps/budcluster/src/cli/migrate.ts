// `npm run migrate`: applies pending budcluster migrations to DATABASE_URL and exits (also run at start-up).
import 'reflect-metadata';
import { runMigrateCommand } from '@bud/database';
import { loadBudclusterConfig } from '../config/budcluster.config';
import { budclusterMigrations } from '../migrations';

runMigrateCommand(loadBudclusterConfig().DATABASE_URL, budclusterMigrations);
