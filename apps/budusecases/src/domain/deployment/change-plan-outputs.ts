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

/**
 * The job outputs budcluster would report for `job` (its serviceOutputs): the recorded ones when the job already
 * runs — only the port can move, since a component's job keeps its name and namespace — else derived from the job.
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
  const service =
    job.spec.kind === 'helm'
      ? (job.spec.release_name ?? job.name.slice(0, 53).replace(/-+$/, ''))
      : /^[a-z]/.test(job.name)
        ? job.name
        : `j-${job.name}`.slice(0, 63).replace(/-+$/, '');
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
