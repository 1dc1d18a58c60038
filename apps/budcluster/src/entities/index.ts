import { ClusterNamespaceEntity } from './cluster-namespace.entity';
import { ClusterQuotaEntity } from './cluster-quota.entity';
import { ClusterEntity } from './cluster.entity';
import { JobEventEntity } from './job-event.entity';
import { JobEntity } from './job.entity';
import { VolumeEntity } from './volume.entity';

export { ClusterEntity, ClusterNamespaceEntity, ClusterQuotaEntity, JobEntity, JobEventEntity, VolumeEntity };
export const budclusterEntities = [ClusterEntity, ClusterNamespaceEntity, ClusterQuotaEntity, JobEntity, JobEventEntity, VolumeEntity];
