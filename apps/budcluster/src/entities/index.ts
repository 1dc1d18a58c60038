import { ClusterEntity } from './cluster.entity';
import { JobEventEntity } from './job-event.entity';
import { JobEntity } from './job.entity';
import { VolumeEntity } from './volume.entity';

export { ClusterEntity, JobEntity, JobEventEntity, VolumeEntity };
export const budclusterEntities = [ClusterEntity, JobEntity, JobEventEntity, VolumeEntity];
