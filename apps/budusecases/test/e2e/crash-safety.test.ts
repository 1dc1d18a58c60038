import { pollUntil } from '@bud/testing';
import { crashPoints } from '../../src/services/crash-points';
import { ProcessPair } from '../support/process-pair';

/**
 * Kills budusecases (SIGKILL, from inside, at a named step) during a full deploy → stop → start →
 * delete, restarts it, and checks the deployment still completes with exactly one job per component per run.
 */
describe('budusecases survives a crash at every step of a deployment', () => {
  const pair = new ProcessPair();
  let clusterId: string;
  beforeAll(async () => {
    await pair.start();
    const cluster = await pair.call('budcluster', 'POST', '/api/v1/clusters', {
      name: 'crash-bed',
      type: 'simulated',
      settings: { admit_delay_ms: 0, ready_delay_ms: 0 },
    });
    clusterId = cluster.body.id;
  }, 120_000);
  afterAll(() => pair.stop(), 60_000);

  const statusOf = async (id: string) => (await pair.call('budusecases', 'GET', `/api/v1/deployments/${id}`)).body?.status;
  const waitFor = (id: string, status: string) =>
    pollUntil(
      () => statusOf(id),
      (s) => s === status,
      { what: `${id} ${status}`, timeoutMs: 30_000, abortIf: () => pair.budusecases.exited },
    );

  it.each(crashPoints)(
    'crash at %s',
    async (point) => {
      await pair.budusecases.stop();
      await pair.startUsecases({ CRASH_AT: `${point}:1` });
      const name = `crash-${point.replace(/[^a-z]/g, '').slice(0, 30)}`;
      let id = '';
      let crashed = false;
      const steps: Array<() => Promise<unknown>> = [
        async () => {
          const created = await pair.call('budusecases', 'POST', '/api/v1/deployments', {
            template_id: 'simple-rag-v1',
            name,
            cluster_id: clusterId,
            parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
          });
          if (created.status === 201) id = created.body.id;
          else
            id = (await pair.call('budusecases', 'GET', '/api/v1/deployments?page_size=100')).body.items.find(
              (d: { name: string }) => d.name === name,
            ).id;
        },
        () => waitFor(id, 'running'),
        () => pair.call('budusecases', 'POST', `/api/v1/deployments/${id}/stop`),
        () => waitFor(id, 'stopped'),
        () => pair.call('budusecases', 'POST', `/api/v1/deployments/${id}/start`),
        () => waitFor(id, 'running'),
        async () => {
          // Exactly one job per component per run, whatever crashed where.
          const jobs = (
            await pair.call('budcluster', 'GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`)
          ).body.items as Array<{ source_id: string; status: string }>;
          expect(jobs.map((j) => j.source_id).sort()).toEqual([
            'embedding#1',
            'embedding#2',
            'llm#1',
            'llm#2',
            'orchestrator#1',
            'orchestrator#2',
            'vector-db#1',
            'vector-db#2',
          ]);
          expect(jobs.filter((j) => j.source_id.endsWith('#2')).every((j) => j.status === 'running')).toBe(true);
        },
        () => pair.call('budusecases', 'DELETE', `/api/v1/deployments/${id}`),
        () =>
          pollUntil(
            () => pair.call('budusecases', 'GET', `/api/v1/deployments/${id}`),
            (a) => a.status === 404,
            { what: 'deleted', timeoutMs: 30_000, abortIf: () => pair.budusecases.exited },
          ),
      ];
      for (let step = 0; step < steps.length;) {
        try {
          await steps[step]();
          step++;
        } catch (error) {
          // A request cut by the crash can fail a moment before the exit is observed.
          const exited = await pollUntil(() => pair.budusecases.exited, Boolean, { timeoutMs: 3000 }).catch(() => false);
          if (!exited) throw error;
          crashed = true;
          await pair.startUsecases();
        }
      }
      expect(crashed).toBe(true);
      const left = (await pair.call('budcluster', 'GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}`)).body.items;
      expect(left).toEqual([]);
    },
    120_000,
  );
});
