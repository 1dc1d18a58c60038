// Applies pending budusecases migrations to DATABASE_URL and exits (also run at start-up; Kubernetes runs it
// as an init container).
import 'reflect-metadata';
import { runMigrateCommand } from '@bud/database';
import { loadBudusecasesConfig } from '../config/budusecases.config';
import { budusecasesMigrations } from '../migrations';

runMigrateCommand(loadBudusecasesConfig().DATABASE_URL, budusecasesMigrations);
