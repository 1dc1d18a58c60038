import { ClusterEntity } from './cluster.entity';
import { JobEventEntity } from './job-event.entity';
import { JobEntity } from './job.entity';

export { ClusterEntity, JobEntity, JobEventEntity };
export const budclusterEntities = [ClusterEntity, JobEntity, JobEventEntity];
