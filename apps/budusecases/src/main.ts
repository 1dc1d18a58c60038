import 'reflect-metadata';
import { runService } from '@bud/http';
import { startBudusecases } from './budusecases.app';
import { loadBudusecasesConfig } from './config/budusecases.config';

runService('budusecases', () => startBudusecases(loadBudusecasesConfig()));
