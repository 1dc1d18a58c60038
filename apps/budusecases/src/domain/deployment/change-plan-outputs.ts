import type { ComponentDefinition, CreateJobRequest, JobOutputs, ModelEngine } from '@bud/contracts';
import { renderComponentOutputs } from '../resolver';

// The ports budcluster gives each model engine's container (apps/budcluster/src/domain/model-engines.ts).
const MODEL_PORTS: Readonly<Record<ModelEngine, number>> = { vllm: 8000, 'tensorrt-llm': 8000, tei: 80, latentbud: 8000 };

function chartServicePort(values: Record<string, unknown>): number | undefined {
  const service = values['service'];
  if (service === null || typeof service !== 'object' || Array.isArray(service)) return undefined;
  const port = (service as Record<string, unknown>)['port'];
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

function portOf(job: CreateJobRequest): number | undefined {
  switch (job.spec.kind) {
    case 'container':
      return job.spec.ports[0]?.port;
    case 'helm':
      return chartServicePort(job.spec.values);
    case 'model':
      return MODEL_PORTS[job.spec.engine];
  }
}

/** Stands for the 8 hex digits of a job id that budcluster has yet to choose (docs/design.md#object-names). */
export const UNKNOWN_JOB_ID = '<job-id>';

/**
 * The Service budcluster will name for a job it has yet to create: `<name>-<8 hex of its id>` (`j-` before a name
 * that starts with a digit, cut to 63, or to Helm's 53), a helm spec's release_name as given. The id does not exist
 * yet, so the name shows UNKNOWN_JOB_ID in its place: a preview of its shape, never a host anything can reach.
 */
function futureServiceName(job: CreateJobRequest): string {
  if (job.spec.kind === 'helm' && job.spec.release_name) return job.spec.release_name;
  const max = (job.spec.kind === 'helm' ? 53 : 63) - 9;
  const base = /^[a-z]/.test(job.name) ? job.name : `j-${job.name}`;
  return `${base.slice(0, max).replace(/-+$/, '')}-${UNKNOWN_JOB_ID}`;
}

/**
 * The job outputs budcluster would report for `job` (its serviceOutputs): the recorded ones when the job already
 * runs — only the port can move, since an in-place change keeps the job and so its objects' names — else those of a
 * job yet to be created, whose Service name holds UNKNOWN_JOB_ID where its id will be (unless a helm release_name
 * gives it in full).
 */
export function predictedJobOutputs(job: CreateJobRequest, recorded: JobOutputs, namespace: string): JobOutputs {
  if (job.job_type !== 'service') return {};
  const port = portOf(job);
  if (recorded.host) {
    if (port === recorded.port) return recorded;
    const moved: JobOutputs = { ...recorded };
    delete moved.port;
    delete moved.url;
    return port !== undefined ? { ...moved, port, url: `http://${recorded.host}:${port}` } : moved;
  }
  const service = futureServiceName(job);
  const ns = job.k8s_namespace ?? namespace;
  const host = `${service}.${ns}.svc.cluster.local`;
  return { service, namespace: ns, host, ...(port !== undefined ? { port, url: `http://${host}:${port}` } : {}) };
}

/** A component's outputs after the change: its definition's templates over the predicted job outputs. */
export function predictedOutputs(
  definition: ComponentDefinition,
  jobOutputs: JobOutputs,
  recorded: Record<string, unknown>,
): Record<string, unknown> {
  if (!jobOutputs.service && !jobOutputs.url) return recorded;
  const rendered = renderComponentOutputs(definition, jobOutputs);
  return rendered.ok ? rendered.value : recorded;
}
