import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  DeploymentType,
  JobHealth,
  JobOutputs,
  JobPolicy,
  JobResources,
  JobSpec,
  JobStatus,
  JobType,
  PriorityClass,
  SourceType,
} from '@bud/contracts';

@Entity({ name: 'jobs' })
export class JobEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'cluster_id' }) clusterId!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'project_id', nullable: true }) projectId!: string | null;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @Column('text', { name: 'job_type' }) jobType!: JobType;
  @Column('text', { name: 'deployment_type' }) deploymentType!: DeploymentType;
  @Column('text', { name: 'source_type' }) sourceType!: SourceType;
  @Column('text', { name: 'source_id', nullable: true }) sourceId!: string | null;
  @Column('uuid', { name: 'usecase_deployment_id', nullable: true }) usecaseDeploymentId!: string | null;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  @Column('jsonb') spec!: JobSpec;
  @Column('jsonb') resources!: JobResources;
  @Column('text', { name: 'priority_class' }) priorityClass!: PriorityClass;
  @Column('integer') priority!: number;
  @Column('jsonb') policy!: JobPolicy;
  @Column('jsonb') labels!: Record<string, string>;
  @Column('jsonb') annotations!: Record<string, string>;
  @Column('text') status!: JobStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason!: string | null;
  @Column('text', { name: 'status_message', nullable: true }) statusMessage!: string | null;
  @Column('integer', { name: 'retry_count' }) retryCount!: number;
  @Column('text', { name: 'k8s_namespace' }) k8sNamespace!: string;
  @Column('text', { name: 'k8s_resource_kind', nullable: true }) k8sResourceKind!: string | null;
  @Column('text', { name: 'k8s_resource_name', nullable: true }) k8sResourceName!: string | null;
  @Column('text', { name: 'kueue_workload_name', nullable: true }) kueueWorkloadName!: string | null;
  /** docs/design.md#quotas: 1-based place in the tenant's queue while queued. */
  @Column('integer', { name: 'queue_position', nullable: true }) queuePosition!: number | null;
  @Column('text', { name: 'admitted_flavor', nullable: true }) admittedFlavor!: string | null;
  @Column('jsonb') outputs!: JobOutputs;
  @Column('numeric', { name: 'estimated_cost_per_hour' }) estimatedCostPerHour!: string;
  @Column('numeric', { name: 'estimated_cost', nullable: true }) estimatedCost!: string | null;
  @Column('numeric', { name: 'actual_cost', nullable: true }) actualCost!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'queued_at', nullable: true }) queuedAt!: Date | null;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column('integer') version!: number;
  /** `secret_env` sealed with SECRETS_KEY (never answered); the spec holds its keys with masked values. */
  @Column('text', { name: 'secret_env_sealed', nullable: true }) secretEnvSealed!: string | null;
  /** docs/design.md#job-health: how the workload is doing, beside its status. */
  @Column('text') health!: JobHealth;
  @Column('text', { name: 'health_reason', nullable: true }) healthReason!: string | null;
  @Column('text', { name: 'health_message', nullable: true }) healthMessage!: string | null;
  /** docs/design.md#in-place-update: counts spec/resources changes (1 at create). */
  @Column('integer') generation!: number;
  /** The newest generation the cluster rolled out completely (0: none yet). */
  @Column('integer', { name: 'observed_generation' }) observedGeneration!: number;
  @Column('integer', { name: 'rollout_replicas' }) rolloutReplicas!: number;
  @Column('integer', { name: 'ready_replicas' }) readyReplicas!: number;
  @Column('integer', { name: 'updated_replicas' }) updatedReplicas!: number;
  /** Set while a generation newer than observed_generation rolls out; the rollback watchdog measures from here. */
  @Column('timestamptz', { name: 'rollout_started_at', nullable: true }) rolloutStartedAt!: Date | null;
  @Column('integer', { name: 'last_good_generation', nullable: true }) lastGoodGeneration!: number | null;
  @Column('jsonb', { name: 'last_good_spec', nullable: true }) lastGoodSpec!: JobSpec | null;
  @Column('jsonb', { name: 'last_good_resources', nullable: true }) lastGoodResources!: JobResources | null;
  @Column('text', { name: 'last_good_secret_env_sealed', nullable: true }) lastGoodSecretEnvSealed!: string | null;
}
