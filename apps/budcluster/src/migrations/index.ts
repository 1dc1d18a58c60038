import { InitialSchema1764200000000 } from './1764200000000-initial-schema';
import { JobsStatusPageIndex1764900000000 } from './1764900000000-jobs-status-page-index';
import { JobSecretEnv1764900000001 } from './1764900000001-job-secret-env';
import { JobHealthVolumes1765000000000 } from './1765000000000-job-health-volumes';
import { ClusterNamespaces1765100000000 } from './1765100000000-cluster-namespaces';
import { Quotas1765200000000 } from './1765200000000-quotas';
import { Metering1765300000000 } from './1765300000000-metering';
import { PriceBookOutlivesCluster1765300000001 } from './1765300000001-price-book-outlives-cluster';
import { DeploymentUsageTotals1765300000002 } from './1765300000002-deployment-usage-totals';
import { JobListIndexes1765400000000 } from './1765400000000-job-list-indexes';

/** Append-only: never edit a migration that has landed. */
export const budclusterMigrations = [
  InitialSchema1764200000000,
  JobsStatusPageIndex1764900000000,
  JobSecretEnv1764900000001,
  JobHealthVolumes1765000000000,
  ClusterNamespaces1765100000000,
  Quotas1765200000000,
  Metering1765300000000,
  PriceBookOutlivesCluster1765300000001,
  DeploymentUsageTotals1765300000002,
  JobListIndexes1765400000000,
];
