import 'reflect-metadata';
import { runService } from '@bud/http';
import { startBudcluster } from './budcluster.app';
import { loadBudclusterConfig } from './config/budcluster.config';

runService('budcluster', () => startBudcluster(loadBudclusterConfig()));
