import { Inject, Injectable } from '@nestjs/common';
import type {
  BudgetCheckRequest,
  BudgetVerdict,
  ClusterResponse,
  CreateJobRequest,
  ErrorBody,
  JobResources,
  JobResourcesPatch,
  JobResponse,
  JobSpec,
  QuotaResponse,
  ScheduleResponse,
  VolumeResponse,
} from '@bud/contracts';
import { errorCodeSchema, isReservedLabelKey } from '@bud/contracts';
import { AppError } from '@bud/errors';
import type { ServiceInvoker } from '@bud/invocation';
import { SERVICE_INVOKER } from '../tokens';

const APP_ID = 'budcluster';
/** Answers of a budcluster without quota routes, or that shows the caller none. */
const QUOTA_ABSENT = [403, 404, 405, 501];

/** budcluster's Job API, through Dapr invocation or direct HTTP; the caller's token is passed through. */
@Injectable()
export class BudclusterClient {
  constructor(@Inject(SERVICE_INVOKER) private readonly invoker: ServiceInvoker) {}

  async getCluster(token: string | undefined, clusterId: string): Promise<ClusterResponse> {
    return this.expect<ClusterResponse>(
      await this.invoker.invoke(APP_ID, { method: 'GET', path: `/api/v1/clusters/${clusterId}`, token }),
      [200],
      'cluster_id',
    );
  }

  async schedule(token: string | undefined, clusterId: string, now: Date): Promise<ScheduleResponse> {
    const window = `start=${encodeURIComponent(now.toISOString())}&end=${encodeURIComponent(new Date(now.getTime() + 60_000).toISOString())}`;
    return this.expect<ScheduleResponse>(
      await this.invoker.invoke(APP_ID, { method: 'GET', path: `/api/v1/clusters/${clusterId}/schedule?${window}`, token }),
      [200],
    );
  }

  /**
   * The tenant's effective quota on the cluster with its usage (docs/design.md#quotas): its own, else the cluster's
   * default. Null when budcluster has no quota routes (older than issue 12) or does not show the caller this quota: the
   * capacity verdict then has no quota part.
   */
  async quotaOf(token: string | undefined, clusterId: string, tenantId: string): Promise<QuotaResponse | null> {
    const answer = await this.invoker.invoke<QuotaResponse>(APP_ID, {
      method: 'GET',
      path: `/api/v1/clusters/${clusterId}/quotas/${tenantId}`,
      token,
    });
    return QUOTA_ABSENT.includes(answer.status) ? null : this.expect<QuotaResponse>(answer, [200]);
  }

  /**
   * What new work at a cost per hour would do to the tenant's budgets (docs/design.md#budgets), asked with budusecases'
   * service token for the tenant. Null when budcluster has no budget routes (older than issue 13).
   */
  async budgetCheck(serviceToken: string, request: BudgetCheckRequest): Promise<BudgetVerdict | null> {
    const answer = await this.invoker.invoke<BudgetVerdict>(APP_ID, {
      method: 'POST',
      path: '/api/v1/budgets/check',
      body: request,
      token: serviceToken,
    });
    return [404, 405, 501].includes(answer.status) ? null : this.expect<BudgetVerdict>(answer, [200]);
  }

  /** 201 for a new job, 200 for the job an idempotency key already names. */
  async createJob(token: string | undefined, clusterId: string, request: CreateJobRequest): Promise<JobResponse> {
    // Plans stored before budcluster refused reserved labels carry bud.ai/ ones, which it dropped anyway.
    const labels = Object.fromEntries(Object.entries(request.labels).filter(([key]) => !isReservedLabelKey(key)));
    const body = { ...request, labels };
    return this.expect<JobResponse>(
      await this.invoker.invoke(APP_ID, { method: 'POST', path: `/api/v1/clusters/${clusterId}/jobs`, body, token }),
      [200, 201],
    );
  }

  /** Every job budcluster holds for a deployment, across runs (first 100: deployments have few components). */
  async jobsOfDeployment(token: string | undefined, clusterId: string, deploymentId: string): Promise<JobResponse[]> {
    const answer = await this.invoker.invoke<{ items: JobResponse[] }>(APP_ID, {
      method: 'GET',
      path: `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${deploymentId}&page_size=100`,
      token,
    });
    return answer.status === 404 ? [] : this.expect<{ items: JobResponse[] }>(answer, [200]).items;
  }

  async getJob(token: string | undefined, clusterId: string, jobId: string): Promise<JobResponse | null> {
    const answer = await this.invoker.invoke<JobResponse>(APP_ID, {
      method: 'GET',
      path: `/api/v1/clusters/${clusterId}/jobs/${jobId}`,
      token,
    });
    return answer.status === 404 ? null : this.expect(answer, [200]);
  }

  /**
   * Cancels an active job (202) or deletes a finished one (204); a job already gone is fine. Deleting a finished job
   * destroys its volumes unless `keepData` (docs/design.md#volumes).
   */
  async cancelOrDeleteJob(
    token: string | undefined,
    clusterId: string,
    jobId: string,
    keepData = false,
  ): Promise<'cancelled' | 'deleted' | 'gone'> {
    const answer = await this.invoker.invoke<JobResponse>(APP_ID, {
      method: 'DELETE',
      path: `/api/v1/clusters/${clusterId}/jobs/${jobId}${keepData ? '?keep_data=true' : ''}`,
      token,
    });
    if (answer.status === 404) return 'gone';
    this.expect(answer, [202, 204]);
    return answer.status === 202 ? 'cancelled' : 'deleted';
  }

  /**
   * Cancels an active job and answers it (now cancelled); null when the job had already finished (budcluster then
   * deletes it) or is gone. Always `keep_data`: a job that finished between our look and this call is deleted, and a
   * cancel (a stop) must never destroy the data a start will reattach.
   */
  async cancelJob(token: string | undefined, clusterId: string, jobId: string): Promise<JobResponse | null> {
    const answer = await this.invoker.invoke<JobResponse>(APP_ID, {
      method: 'DELETE',
      path: `/api/v1/clusters/${clusterId}/jobs/${jobId}?keep_data=true`,
      token,
    });
    if (answer.status === 404) return null;
    const job = this.expect<JobResponse>(answer, [202, 204]);
    return answer.status === 202 ? job : null;
  }

  /**
   * A new spec and/or resources for a service job, applied in place (docs/design.md#in-place-update): the answer
   * carries the job's generation in `rollout.generation`. Null when budcluster no longer holds the job.
   */
  async patchJob(
    token: string | undefined,
    clusterId: string,
    jobId: string,
    change: { spec?: JobSpec; resources?: JobResources },
  ): Promise<JobResponse | null> {
    const body = change.resources ? { ...change, resources: wholeResources(change.resources) } : change;
    const answer = await this.invoker.invoke<JobResponse>(APP_ID, {
      method: 'PATCH',
      path: `/api/v1/clusters/${clusterId}/jobs/${jobId}`,
      body,
      token,
    });
    return answer.status === 404 ? null : this.expect<JobResponse>(answer, [200]);
  }

  /** The volumes budcluster holds for a deployment (first 100: a deployment has few), any status. */
  async volumesOfDeployment(token: string | undefined, clusterId: string, deploymentId: string): Promise<VolumeResponse[]> {
    const answer = await this.invoker.invoke<{ items: VolumeResponse[] }>(APP_ID, {
      method: 'GET',
      path: `/api/v1/clusters/${clusterId}/volumes?usecase_deployment_id=${deploymentId}&page_size=100`,
      token,
    });
    return answer.status === 404 ? [] : this.expect<{ items: VolumeResponse[] }>(answer, [200]).items;
  }

  async retryJob(token: string | undefined, clusterId: string, jobId: string): Promise<JobResponse> {
    return this.expect<JobResponse>(
      await this.invoker.invoke(APP_ID, { method: 'POST', path: `/api/v1/clusters/${clusterId}/jobs/${jobId}/retry`, token }),
      [200],
    );
  }

  /** budcluster's 4xx verdicts reach our caller unchanged (same code and message), field paths under `pathPrefix`. */
  private expect<T>(answer: { status: number; body: unknown }, ok: number[], pathPrefix?: string): T {
    if (ok.includes(answer.status)) return answer.body as T;
    const error = (answer.body ?? {}) as Partial<ErrorBody>;
    const code = errorCodeSchema.safeParse(error.error);
    const message = `budcluster: ${error.message ?? `HTTP ${answer.status}`}`;
    if (answer.status === 404 && pathPrefix)
      throw AppError.validation(message, [{ path: pathPrefix, message: 'is not a cluster you can use' }]);
    throw new AppError(code.success ? code.data : 'upstream_unavailable', message, error.details);
  }
}

/** budcluster merges `resources` (RFC 7386): every optional field we leave out is sent as null, so the job gets exactly ours. */
function wholeResources(resources: JobResources): JobResourcesPatch {
  return { gpu_type: null, cpu_limit: null, memory_limit: null, storage: null, ...resources };
}
