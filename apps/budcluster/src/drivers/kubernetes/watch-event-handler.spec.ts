import type { JobModel, ObservedStatus } from '../../domain/job-model';
import { BATCH_JOB, DEPLOYMENT, HELM_RELEASE } from './resource-kinds';
import { screenListItems, screenWatchCallback } from './screened-watch';
import {
  activeBatchJob,
  availableDeployment,
  condition,
  helmSpec,
  JOB_ID,
  makeJob,
  rawObject,
  readyRelease,
} from '../../../test/support/kubernetes-fixtures';
import { type DriverLogger, WatchEventHandler } from './watch-event-handler';

function setup(jobs: JobModel[] = [makeJob()]) {
  const reports: ObservedStatus[] = [];
  const logger: jest.Mocked<DriverLogger> = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const handler = new WatchEventHandler({
    clusterId: 'c1',
    logger,
    lookupJob: (id) => jobs.find((job) => job.id === id),
    report: (observed) => reports.push(observed),
  });
  return { handler, reports, logger };
}

const malformed: [string, unknown][] = [
  ['null', null],
  ['a string', 'ADDED'],
  ['an object without metadata', { kind: 'Deployment', spec: {} }],
  ['metadata of the wrong type', { metadata: 'chat-api' }],
  ['no name', { metadata: { namespace: 'ns', labels: { 'bud.ai/job-id': JOB_ID } } }],
  ['a name that is a number', { metadata: { name: 42, namespace: 'ns', labels: { 'bud.ai/job-id': JOB_ID } } }],
  ['no labels', { metadata: { name: 'a', namespace: 'ns' } }],
  ['labels as a list', { metadata: { name: 'a', namespace: 'ns', labels: ['bud.ai/job-id'] } }],
  ['no bud.ai/job-id label', { metadata: { name: 'a', namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'budcluster' } } }],
  ['an empty bud.ai/job-id label', rawObject(DEPLOYMENT, { labels: { 'bud.ai/job-id': '' } })],
  ['a label value that is a number', { metadata: { name: 'a', namespace: 'ns', labels: { 'bud.ai/job-id': JOB_ID, replicas: 3 } } }],
  ['a huge label value', rawObject(DEPLOYMENT, { labels: { team: 'x'.repeat(1_000_000) } })],
  ['a job id that is not an id', rawObject(DEPLOYMENT, { jobId: '../../etc' })],
  [
    'a generation that is a string',
    { ...rawObject(DEPLOYMENT), metadata: { name: 'a', namespace: 'ns', generation: '3', labels: { 'bud.ai/job-id': JOB_ID } } },
  ],
  ['a status that is a list', { ...rawObject(DEPLOYMENT), status: [] }],
  ['conditions that are not a list', rawObject(DEPLOYMENT, { status: { conditions: 5 } })],
  ['another kind in the stream', { ...rawObject(DEPLOYMENT), kind: 'StatefulSet' }],
];

describe('WatchEventHandler', () => {
  it.each(malformed)('logs and skips an object with %s, and keeps handling events', (_name, raw) => {
    const { handler, reports, logger } = setup();
    expect(handler.handle('update', DEPLOYMENT, raw)).toMatchObject({ kind: 'malformed' });
    expect(logger.warn).toHaveBeenCalledWith(
      'skipping malformed object from watch',
      expect.objectContaining({ cluster_id: 'c1', kind: 'Deployment' }),
    );
    expect(handler.handle('update', DEPLOYMENT, availableDeployment())).toMatchObject({ kind: 'reported' });
    expect(reports).toEqual([expect.objectContaining({ jobId: JOB_ID, status: 'running', reason: 'Available' })]);
  });

  it('never puts a huge value into the log line', () => {
    const { handler, logger } = setup();
    handler.handle('add', DEPLOYMENT, rawObject(DEPLOYMENT, { labels: { ['k'.repeat(10_000)]: 'v'.repeat(100_000) } }));
    expect(JSON.stringify(logger.warn.mock.calls).length).toBeLessThan(1000);
  });

  it('reports running services with their outputs', () => {
    const { handler, reports } = setup();
    handler.handle('add', DEPLOYMENT, availableDeployment());
    expect(reports[0]?.outputs).toMatchObject({ service: 'chat-api-0b6f7f5e', namespace: 'tenant-7d1e6a2b', port: 8080 });
  });

  it('reports a change once, not every resync echo of it', () => {
    const { handler, reports } = setup();
    handler.handle('add', BATCH_JOB, activeBatchJob());
    expect(handler.handle('update', BATCH_JOB, activeBatchJob())).toEqual({ kind: 'unchanged' });
    handler.handle('update', BATCH_JOB, rawObject(BATCH_JOB, { status: { conditions: [condition('Complete', 'True')] } }));
    expect(reports.map((r) => r.status)).toEqual(['running', 'succeeded']);
  });

  it('reports a health change of a running job although its status stays running (docs/design.md#job-health)', () => {
    const { handler, reports } = setup();
    handler.handle('add', DEPLOYMENT, availableDeployment());
    // The pod lost readiness: the controller keeps Progressing at NewReplicaSetAvailable and counts it unready.
    const unready = rawObject(DEPLOYMENT, {
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 0,
        availableReplicas: 0,
        conditions: [condition('Available', 'False'), condition('Progressing', 'True', 'NewReplicaSetAvailable')],
      },
    });
    expect(handler.handle('update', DEPLOYMENT, unready)).toMatchObject({ kind: 'reported' });
    expect(handler.handle('update', DEPLOYMENT, unready)).toEqual({ kind: 'unchanged' });
    handler.handle('update', DEPLOYMENT, availableDeployment());
    expect(reports.map((r) => [r.status, r.health?.health, r.health?.message])).toEqual([
      ['running', 'healthy', '1/1 replicas ready'],
      ['running', 'unhealthy', '0/1 replicas ready'],
      ['running', 'healthy', '1/1 replicas ready'],
    ]);
  });

  it('reports a rollout of a new job generation, each step of it, and its completion', () => {
    const { handler, reports } = setup([makeJob({ status: 'running', generation: 2 })]);
    const rolling = (counts: [number, number, number, number], progressing: string) =>
      rawObject(DEPLOYMENT, {
        generation: 2,
        annotations: { 'bud.ai/generation': '2' },
        spec: { replicas: 1 },
        status: {
          observedGeneration: 2,
          replicas: counts[0],
          updatedReplicas: counts[1],
          readyReplicas: counts[2],
          availableReplicas: counts[3],
          conditions: [condition('Available', 'True'), condition('Progressing', 'True', progressing)],
        },
      });
    handler.handle('update', DEPLOYMENT, rolling([2, 1, 1, 1], 'ReplicaSetUpdated'));
    handler.handle('update', DEPLOYMENT, rolling([2, 1, 2, 2], 'ReplicaSetUpdated'));
    handler.handle('update', DEPLOYMENT, rolling([1, 1, 1, 1], 'NewReplicaSetAvailable'));
    expect(reports.map((r) => [r.status, r.health?.health, r.rollout?.generation, r.rollout?.complete])).toEqual([
      ['running', 'progressing', 2, false],
      ['running', 'progressing', 2, false],
      ['running', 'healthy', 2, true],
    ]);
  });

  it('keeps a job it last reported running running while a later rollout is stuck', () => {
    const { handler, reports } = setup([makeJob({ status: 'pending' })]);
    handler.handle('add', DEPLOYMENT, availableDeployment());
    const stuck = rawObject(DEPLOYMENT, {
      generation: 2,
      spec: { replicas: 1 },
      status: {
        observedGeneration: 2,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 0,
        availableReplicas: 0,
        conditions: [condition('Available', 'False'), condition('Progressing', 'False', 'ProgressDeadlineExceeded')],
      },
    });
    handler.handle('update', DEPLOYMENT, stuck);
    expect(reports.map((r) => [r.status, r.health?.health, r.health?.reason])).toEqual([
      ['running', 'healthy', 'Ready'],
      ['running', 'unhealthy', 'ProgressDeadlineExceeded'],
    ]);
  });

  it('reports a tracked job whose object is deleted behind its back as ResourceMissing', () => {
    const { handler, reports } = setup();
    handler.handle('add', DEPLOYMENT, availableDeployment());
    handler.handle('delete', DEPLOYMENT, availableDeployment());
    expect(reports[1]).toMatchObject({ status: 'failed', reason: 'ResourceMissing' });
  });

  it('ignores the deletion of an earlier object of the same name that an apply waited out', () => {
    const { handler, reports } = setup();
    const predecessor = { ...availableDeployment(), metadata: { ...(availableDeployment().metadata as object), uid: 'old-uid' } };
    handler.expectDeletion('old-uid');
    expect(handler.handle('delete', DEPLOYMENT, predecessor)).toMatchObject({ kind: 'ignored' });
    // Only once: a later deletion of an object with that uid would be drift again.
    handler.handle('delete', DEPLOYMENT, predecessor);
    expect(reports.map((r) => r.reason)).toEqual(['ResourceMissing']);
  });

  it('ignores deletions of untracked jobs (cancelled, orphans) and of finished jobs', () => {
    const { handler, reports } = setup([]);
    expect(handler.handle('delete', DEPLOYMENT, availableDeployment())).toMatchObject({ kind: 'ignored' });
    const tracked = setup([makeJob({ jobType: 'batch' })]);
    tracked.handler.handle('update', BATCH_JOB, rawObject(BATCH_JOB, { status: { conditions: [condition('Complete', 'True')] } }));
    tracked.handler.handle('delete', BATCH_JOB, rawObject(BATCH_JOB));
    expect([...reports, ...tracked.reports].map((r) => r.status)).toEqual(['succeeded']);
  });

  it('takes a helm job status from its HelmRelease, not from Deployments its chart installed', () => {
    const { handler, reports } = setup([makeJob({}, helmSpec)]);
    const chartDeployment = rawObject(DEPLOYMENT, {
      labels: { 'helm.toolkit.fluxcd.io/name': 'chat-api' },
      status: { conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded')] },
    });
    expect(handler.handle('update', DEPLOYMENT, chartDeployment)).toMatchObject({ kind: 'ignored' });
    handler.handle('add', HELM_RELEASE, readyRelease());
    expect(reports).toEqual([expect.objectContaining({ status: 'running', reason: 'Ready' })]);
  });

  it('ignores objects being deleted and kinds without status', () => {
    const { handler, reports } = setup();
    expect(handler.handle('update', DEPLOYMENT, rawObject(DEPLOYMENT, { deletionTimestamp: '2025-01-01T00:00:00Z' }))).toMatchObject({
      kind: 'ignored',
    });
    expect(
      handler.handle(
        'add',
        { apiVersion: 'v1', kind: 'Service', plural: 'services', primary: false },
        rawObject({ apiVersion: 'v1', kind: 'Service', plural: 'services', primary: false }),
      ),
    ).toMatchObject({ kind: 'ignored' });
    expect(reports).toEqual([]);
  });

  it('survives a sink that throws', () => {
    const logger: jest.Mocked<DriverLogger> = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const handler = new WatchEventHandler({
      clusterId: 'c1',
      logger,
      lookupJob: () => undefined,
      report: () => {
        throw new Error('db down');
      },
    });
    expect(handler.handle('add', BATCH_JOB, activeBatchJob())).toMatchObject({ kind: 'reported' });
    expect(logger.error).toHaveBeenCalledWith('status report failed', expect.objectContaining({ error: 'Error: db down' }));
  });
});

describe('screening the watch stream before the client cache sees it', () => {
  it('passes good objects and stream errors through, drops malformed ones', () => {
    const seen: string[] = [];
    const problems: string[] = [];
    const callback = screenWatchCallback(
      DEPLOYMENT,
      (phase) => seen.push(phase),
      (problem) => problems.push(problem),
    );
    callback('ADDED', availableDeployment());
    callback('MODIFIED', { kind: 'Deployment' });
    callback('DELETED', null);
    callback('ERROR', { kind: 'Status', code: 410 });
    expect(seen).toEqual(['ADDED', 'ERROR']);
    expect(problems).toEqual(['object has no metadata', 'object is not a JSON object']);
  });

  it('drops malformed items from the (re)list', () => {
    const problems: string[] = [];
    const items = screenListItems(DEPLOYMENT, [availableDeployment(), { metadata: {} }, 7], (problem) => problems.push(problem));
    expect(items).toHaveLength(1);
    expect(problems).toHaveLength(2);
  });
});
