import { ClusterNamespaceEntity } from './cluster-namespace.entity';
import { ClusterEntity } from './cluster.entity';
import { JobEventEntity } from './job-event.entity';
import { JobEntity } from './job.entity';
import { VolumeEntity } from './volume.entity';

export { ClusterEntity, ClusterNamespaceEntity, JobEntity, JobEventEntity, VolumeEntity };
export const budclusterEntities = [ClusterEntity, ClusterNamespaceEntity, JobEntity, JobEventEntity, VolumeEntity];
