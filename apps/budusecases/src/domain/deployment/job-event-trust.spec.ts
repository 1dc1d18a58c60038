import type { JobEventData, JobResponse } from '@bud/contracts';
import { UNCONFIRMED_VERSION_STEP, confirmJobEvent, screenJobEvent } from './job-event-trust';
import type { TrustContext } from './job-event-trust';

const TENANT = '00000000-0000-4000-8000-00000000000a';
const OTHER_TENANT = '00000000-0000-4000-8000-00000000000b';
const CLUSTER = '00000000-0000-4000-8000-0000000000c1';
const DEPLOYMENT = '00000000-0000-4000-8000-0000000000d1';
const JOB = '00000000-0000-4000-8000-0000000000f1';
const OTHER_JOB = '00000000-0000-4000-8000-0000000000f2';

const event = (fields: Partial<JobEventData> = {}): JobEventData => ({
  job_id: JOB,
  tenant_id: TENANT,
  cluster_id: CLUSTER,
  source_type: 'usecase',
  source_id: 'llm#1',
  usecase_deployment_id: DEPLOYMENT,
  status: 'running',
  previous_status: 'admitted',
  status_reason: 'Available',
  status_message: null,
  outputs: { url: 'http://llm:8000' },
  health: 'healthy',
  health_reason: null,
  health_message: null,
  rollout: { generation: 1, observed_generation: 1, replicas: 1, ready_replicas: 1, updated_replicas: 1 },
  version: 4,
  occurred_at: '2026-01-01T00:00:00.000Z',
  ...fields,
});
const context = (component: Partial<TrustContext['component']> = {}): TrustContext => ({
  deployment: { id: DEPLOYMENT, tenantId: TENANT, clusterId: CLUSTER },
  component: { jobId: JOB, jobVersion: 3, ...component },
});
const job = (fields: Partial<JobResponse> = {}) =>
  ({
    id: JOB,
    tenant_id: TENANT,
    source_type: 'usecase',
    source_id: 'llm#1',
    usecase_deployment_id: DEPLOYMENT,
    version: 5,
    status: 'running',
    status_reason: 'Available',
    status_message: null,
    outputs: { url: 'http://llm:8000' },
    ...fields,
  }) as JobResponse;

describe('screenJobEvent', () => {
  it.each<[string, JobEventData, TrustContext, string]>([
    ['the next version of the recorded job is trusted', event(), context(), 'trust'],
    ['a version within the unconfirmed step is trusted', event({ version: 3 + UNCONFIRMED_VERSION_STEP }), context(), 'trust'],
    [
      'a health-only event of the recorded job is trusted like a status one',
      event({ previous_status: 'running', health: 'unhealthy' }),
      context(),
      'trust',
    ],
    ['another tenant is refused', event({ tenant_id: OTHER_TENANT }), context(), 'refuse'],
    ['another cluster is refused', event({ cluster_id: OTHER_TENANT }), context(), 'refuse'],
    ['a job other than the recorded one is refused', event({ job_id: OTHER_JOB }), context(), 'refuse'],
    ['a jump past the step is confirmed with budcluster', event({ version: 1000 }), context(), 'confirm'],
    ['a first event before the job is recorded is confirmed with budcluster', event(), context({ jobId: null, jobVersion: 0 }), 'confirm'],
    [
      'another tenant is refused even before the job is recorded',
      event({ tenant_id: OTHER_TENANT }),
      context({ jobId: null, jobVersion: 0 }),
      'refuse',
    ],
  ])('%s', (_, received, ctx, verdict) => {
    expect(screenJobEvent(received, ctx).verdict).toBe(verdict);
  });
});

describe('confirmJobEvent', () => {
  const { deployment } = context();
  it('folds what budcluster answers when it holds the job for this deployment and source', () => {
    expect(confirmJobEvent(event(), deployment, job())).toEqual({
      facts: expect.objectContaining({ job_id: JOB, version: 5, status: 'running' }),
    });
  });
  it("folds budcluster's health and rollout, so a confirmed health or rollout event (bud.job.health / bud.job.rollout) carries them", () => {
    const rollout = { generation: 3, observed_generation: 2, replicas: 2, ready_replicas: 1, updated_replicas: 1 };
    const answer = job({ health: 'progressing', health_reason: 'Rollout', health_message: '1/2 updated', rollout });
    expect(confirmJobEvent(event({ health: 'progressing' }), deployment, answer)).toEqual({
      facts: expect.objectContaining({ health: 'progressing', health_reason: 'Rollout', health_message: '1/2 updated', rollout }),
    });
  });
  it.each<[string, JobEventData, JobResponse | null]>([
    ['budcluster does not know the job', event(), null],
    ['the version is ahead of budcluster', event({ version: 1000 }), job()],
    ['budcluster holds it for another deployment', event(), job({ usecase_deployment_id: OTHER_JOB })],
    ['budcluster holds it for another component', event(), job({ source_id: 'embedding#1' })],
    ['it is not a use-case job', event(), job({ source_type: 'direct' })],
  ])('refuses when %s', (_, received, answer) => {
    expect(confirmJobEvent(received, deployment, answer)).toEqual({ refuse: expect.any(String) });
  });
});
