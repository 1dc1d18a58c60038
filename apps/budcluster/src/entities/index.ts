import { ClusterEntity } from './cluster.entity';
import { JobEventEntity } from './job-event.entity';
import { JobEntity } from './job.entity';
import { OutboxEntity } from './outbox.entity';

export { ClusterEntity, JobEntity, JobEventEntity, OutboxEntity };
export const budclusterEntities = [ClusterEntity, JobEntity, JobEventEntity, OutboxEntity];
