import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '@bud/auth';
import {
  createJobRequestSchema,
  deleteJobQuerySchema,
  jobListQuerySchema,
  jobResponseSchema,
  pageOf,
  patchJobRequestSchema,
  scheduleQuerySchema,
  scheduleResponseSchema,
} from '@bud/contracts';
import type { CreateJobRequest, DeleteJobQuery, JobListQuery, JobResponse, Page, PatchJobRequest, ScheduleResponse } from '@bud/contracts';
import { CurrentPrincipal, Operation, ValidQuery, ZodPipe } from '@bud/http';
import { JobListService } from '../services/job-list.service';
import { JobService } from '../services/job.service';
import { ScheduleService } from '../services/schedule.service';
import { clusterParamsSchema, jobParamsSchema } from './params';

type ClusterParams = { cluster_id: string };
type JobParams = { cluster_id: string; job_id: string };

@Controller('api/v1/clusters/:cluster_id')
export class JobController {
  constructor(
    private readonly jobs: JobService,
    private readonly jobLists: JobListService,
    private readonly schedules: ScheduleService,
  ) {}

  @Post('jobs')
  @Operation({
    summary: 'Create a job (201; 200 with the existing job for a known idempotency_key)',
    body: createJobRequestSchema,
    response: jobResponseSchema,
    status: 201,
    // Another active job of the namespace holds a claim or helm release_name the job asks for (design.md#object-names).
    errors: [409],
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: ClusterParams,
    @Body(new ZodPipe(createJobRequestSchema, 'job')) body: CreateJobRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<JobResponse> {
    const { job, created } = await this.jobs.create(principal, params.cluster_id, body);
    response.status(created ? 201 : 200);
    return job;
  }

  @Get('jobs')
  @Operation({
    summary: 'List jobs, newest first (created_at desc, id desc)',
    query: jobListQuerySchema,
    response: pageOf(jobResponseSchema),
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: ClusterParams,
    @ValidQuery() query: JobListQuery,
  ): Promise<Page<JobResponse>> {
    return this.jobLists.list(principal, params.cluster_id, query);
  }

  @Get('jobs/:job_id')
  @Operation({ summary: 'Get a job with its status history', response: jobResponseSchema })
  get(@CurrentPrincipal() principal: Principal, @Param(new ZodPipe(jobParamsSchema, 'path')) params: JobParams): Promise<JobResponse> {
    return this.jobs.get(principal, params.cluster_id, params.job_id);
  }

  @Patch('jobs/:job_id')
  @Operation({
    summary:
      "Change priority_class, policy or labels, or a service job's spec/resources in place as a new generation (optionally at a given version)",
    body: patchJobRequestSchema,
    response: jobResponseSchema,
    errors: [409],
  })
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(jobParamsSchema, 'path')) params: JobParams,
    @Body(new ZodPipe(patchJobRequestSchema, 'job patch')) body: PatchJobRequest,
  ): Promise<JobResponse> {
    return this.jobs.patch(principal, params.cluster_id, params.job_id, body);
  }

  @Delete('jobs/:job_id')
  @Operation({
    summary:
      'Cancel an active job (202 while its objects are removed; its volumes stay) or delete a finished one (204; its volumes too unless keep_data=true)',
    query: deleteJobQuerySchema,
    response: jobResponseSchema,
    status: 202,
    errors: [409],
  })
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(jobParamsSchema, 'path')) params: JobParams,
    @ValidQuery() query: DeleteJobQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<JobResponse | undefined> {
    const { job } = await this.jobs.cancel(principal, params.cluster_id, params.job_id, query.keep_data === 'true');
    response.status(job ? 202 : 204);
    return job ?? undefined;
  }

  @Post('jobs/:job_id/retry')
  @HttpCode(200)
  @Operation({
    summary: 'Retry a failed or preempted job within its retry budget',
    response: jobResponseSchema,
    status: 200,
    errors: [409],
  })
  retry(@CurrentPrincipal() principal: Principal, @Param(new ZodPipe(jobParamsSchema, 'path')) params: JobParams): Promise<JobResponse> {
    return this.jobs.retry(principal, params.cluster_id, params.job_id);
  }

  @Get('schedule')
  @Operation({ summary: 'Jobs overlapping a window, and GPU use per type', query: scheduleQuerySchema, response: scheduleResponseSchema })
  schedule(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodPipe(clusterParamsSchema, 'path')) params: ClusterParams,
    @ValidQuery() query: { start: string; end: string },
  ): Promise<ScheduleResponse> {
    return this.schedules.schedule(principal, params.cluster_id, new Date(query.start), new Date(query.end));
  }
}
