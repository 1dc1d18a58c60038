import { billingCommands } from './billing';
import { budgetCommands } from './budgets';
import type { CommandSpec } from './command';
import { clusterCommands } from './clusters';
import { componentCommands } from './components';
import { deployCommand } from './deploy';
import { deploymentCommands } from './deployments';
import { jobCommands } from './jobs';
import { namespaceCommands } from './namespaces';
import { quotaCommands } from './quotas';
import { templateCommands } from './templates';
import { volumeCommands } from './volumes';

/** Every command, in the order `bud --help` lists them. */
export const commands: readonly CommandSpec[] = [
  ...templateCommands,
  ...componentCommands,
  ...clusterCommands,
  deployCommand,
  ...deploymentCommands,
  ...jobCommands,
  ...volumeCommands,
  ...namespaceCommands,
  ...quotaCommands,
  ...billingCommands,
  ...budgetCommands,
];
