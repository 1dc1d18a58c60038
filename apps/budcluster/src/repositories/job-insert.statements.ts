import type { JobEntity } from '../entities';

/** Every column a new job row is written with, in the order `jobValues` gives them. */
export const JOB_COLUMNS = [
  'id',
  'name',
  'cluster_id',
  'tenant_id',
  'project_id',
  'created_by',
  'job_type',
  'deployment_type',
  'source_type',
  'source_id',
  'usecase_deployment_id',
  'idempotency_key',
  'spec',
  'resources',
  'priority_class',
  'priority',
  'policy',
  'labels',
  'annotations',
  'status',
  'status_reason',
  'status_message',
  'retry_count',
  'k8s_namespace',
  'k8s_resource_kind',
  'k8s_resource_name',
  'kueue_workload_name',
  'queue_position',
  'admitted_flavor',
  'outputs',
  'estimated_cost_per_hour',
  'estimated_cost',
  'actual_cost',
  'created_at',
  'updated_at',
  'queued_at',
  'started_at',
  'completed_at',
  'version',
  'secret_env_sealed',
  'health',
  'health_reason',
  'health_message',
  'generation',
  'observed_generation',
  'rollout_replicas',
  'ready_replicas',
  'updated_replicas',
  'rollout_started_at',
  'last_good_generation',
  'last_good_spec',
  'last_good_resources',
  'last_good_secret_env_sealed',
] as const;
const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const JSON_COLUMNS = new Set([
  'spec',
  'resources',
  'policy',
  'labels',
  'annotations',
  'outputs',
  'last_good_spec',
  'last_good_resources',
]);
/** Each column's entity field, worked out once: the create path maps every column of every new job. */
const JOB_FIELDS = JOB_COLUMNS.map((column) => ({ column, field: camel(column), json: JSON_COLUMNS.has(column) }));
const N = JOB_COLUMNS.length;

/** The job's columns in JOB_COLUMNS order as statement parameters, JSON columns as text. */
export function jobValues(job: JobEntity): unknown[] {
  const fields = job as unknown as Record<string, unknown>;
  return JOB_FIELDS.map(({ field, json }) => {
    const value = fields[field];
    return json && value !== null ? JSON.stringify(value) : value;
  });
}

/** The job as one JSON object keyed by column, for `jsonb_populate_recordset(NULL::jobs, …)`. */
export function jobRecord(job: JobEntity): Record<string, unknown> {
  const fields = job as unknown as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const { column, field } of JOB_FIELDS) record[column] = fields[field];
  return record;
}

/** A repeated idempotency key writes nothing; the new rows feed the history and outbox rows. */
const NEW_ROWS_ONLY = `ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, status, status_reason, status_message, version, created_at`;
/** Each inserted job's first history row. */
const FIRST_EVENT = `event AS (
    INSERT INTO job_events (job_id, from_status, to_status, reason, message, job_version, occurred_at)
    SELECT id, NULL, status, status_reason, status_message, version, created_at FROM inserted)`;

/** The job, its first event and its outbox row in one statement (the checked create path, one job). */
export const INSERT_JOB = `
  WITH inserted AS (
    INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ${NEW_ROWS_ONLY}),
  ${FIRST_EVENT},
  outbox_row AS (
    INSERT INTO outbox (pubsub_name, topic, event, created_at, next_attempt_at)
    SELECT $${N + 1}, $${N + 2}, $${N + 3}::jsonb, created_at, created_at FROM inserted)
  SELECT (SELECT count(*)::int FROM inserted) AS inserted`;

/**
 * Many new jobs at once (docs/design.md#job-creation), each written with its first event and outbox row only when
 * the database has nothing to refuse it for — its namespace is its tenant's already and no budget that can refuse new
 * work covers it ("settled"). $1: the jobs as `jobRecord`s, $2: their outbox events in the same order, $3/$4: pubsub
 * and topic, $5: the refusing budget actions. One row back per job, in order: settled, inserted (false for a settled
 * job whose idempotency key exists).
 */
export const INSERT_SETTLED_JOBS = `
  WITH input AS (
    SELECT r.*,
           EXISTS (SELECT 1 FROM cluster_namespaces n
                    WHERE n.cluster_id = r.cluster_id AND n.name = r.k8s_namespace AND n.tenant_id = r.tenant_id)
           AND NOT EXISTS (SELECT 1 FROM budgets b
                            WHERE b.tenant_id = r.tenant_id AND (b.project_id IS NULL OR b.project_id = r.project_id)
                              AND b.action = ANY($5::text[])) AS settled
      FROM jsonb_populate_recordset(NULL::jobs, $1::jsonb) WITH ORDINALITY AS r),
  inserted AS (
    INSERT INTO jobs (${JOB_COLUMNS.join(', ')})
    SELECT ${JOB_COLUMNS.join(', ')} FROM input WHERE settled ORDER BY ordinality
    ${NEW_ROWS_ONLY}),
  ${FIRST_EVENT},
  outbox_row AS (
    INSERT INTO outbox (pubsub_name, topic, event, created_at, next_attempt_at)
    SELECT $3, $4, e.event, i.created_at, i.created_at
      FROM inserted i
      JOIN input ON input.id = i.id
      JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(event, ordinality) ON e.ordinality = input.ordinality
     ORDER BY input.ordinality)
  SELECT input.settled, i.id IS NOT NULL AS inserted
    FROM input LEFT JOIN inserted i ON i.id = input.id
   ORDER BY input.ordinality`;
