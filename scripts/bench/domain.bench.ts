import { randomUUID } from 'node:crypto';
import { assertTransition } from '../../apps/budcluster/src/domain/job-status-machine';
import type { JobModel } from '../../apps/budcluster/src/domain/job-model';
import { renderManifests } from '../../apps/budcluster/src/domain/manifests';
import type { BenchResult } from './stats';
import { repeat, summarize } from './stats';

const JOBS = 20_000;

function modelJob(i: number): JobModel {
  return {
    id: randomUUID(),
    name: `svc-${i}`,
    clusterId: randomUUID(),
    tenantId: randomUUID(),
    projectId: null,
    jobType: i % 3 === 0 ? 'batch' : 'service',
    sourceType: 'usecase',
    usecaseDeploymentId: randomUUID(),
    spec:
      i % 2 === 0
        ? { kind: 'model', engine: 'vllm', model_id: 'meta-llama/Llama-3.1-8B-Instruct' }
        : { kind: 'container', image: 'nginx:1.27', env: {}, ports: [{ port: 80, protocol: 'TCP' }] },
    resources: { gpu_type: 'A100-80GB', gpu_count: 1, cpu_request: '2', memory_request: '8Gi', replicas: 1 },
    policy: { preemptible: false, max_retries: 3, retry_delay_seconds: 30, readiness_timeout_seconds: 600, scale_to_zero: false },
    priorityClass: 'normal',
    labels: { team: 'bench' },
    annotations: {},
    namespace: 'uc-bench',
    resourceName: `svc-${i}`,
    status: 'pending',
    secretEnvSealed: null,
    generation: 1,
  };
}

/** The pure work budcluster does per job: render its objects and walk it through the status machine. */
export async function benchDomain(): Promise<BenchResult[]> {
  const jobs = Array.from({ length: JOBS }, (_, i) => modelJob(i));
  const samples = await repeat(5, async () => {
    const started = performance.now();
    for (const job of jobs) {
      renderManifests(job, { kueue: false });
      assertTransition('pending', 'admitted', { retryCount: 0, maxRetries: 3 });
      assertTransition('admitted', 'running', { retryCount: 0, maxRetries: 3 });
    }
    return ((performance.now() - started) * 1000) / JOBS;
  });
  return [summarize('domain.render_and_transition.per_job_us', 'µs', samples)];
}
