import { logged, metricValue, pollUntil } from '@bud/testing';
import { ReplicaPlatform } from '../support/replica-platform';

const DEPLOYMENTS = 200;
const COMPONENTS = ['embedding#1', 'llm#1', 'orchestrator#1', 'vector-db#1'];

/**
 * Two budcluster and two budusecases processes on one PostgreSQL server (`*.server.test.ts`: run only
 * with TEST_DATABASE_URL). 200 deployments over both budusecases replicas; one replica of each service
 * is killed with SIGKILL mid-flight, the budcluster one being the owner of the `local` cluster.
 */
describe('two replicas of each service on one PostgreSQL server', () => {
  const platform = new ReplicaPlatform(2);
  let localId = '';

  beforeAll(async () => {
    await platform.start();
    const [local] = await platform.query<{ id: string }>(platform.clusterDb, "SELECT id FROM clusters WHERE name = 'local'");
    localId = local.id;
    // Room for 200 LLMs; the ready delay keeps the first half of the deployments in flight at the kill.
    const settings = { admit_delay_ms: 50, ready_delay_ms: 1000, gpu_capacity: { 'A100-80GB': 400, 'H100-80GB': 8 } };
    const patched = await platform.call(platform.budcluster[1], 'PATCH', `/api/v1/clusters/${localId}`, { settings });
    expect(patched.status).toBe(200);
  }, 180_000);
  afterAll(() => platform.stop(), 60_000);

  const ownersOfLocal = async (): Promise<number[]> => {
    const owners: number[] = [];
    for (const [index, replica] of platform.budcluster.entries()) {
      if (replica.process.exited) continue;
      const exposition = await (await fetch(`${replica.url}/metrics`)).text();
      if (metricValue(exposition, 'bud_cluster_owned', { cluster_id: localId }) === 1) owners.push(index);
    }
    return owners;
  };

  const create = async (index: number): Promise<void> => {
    const replica = platform.budusecases[index % 2];
    const body = {
      template_id: 'simple-rag-v1',
      name: `replica-${index}`,
      cluster_id: localId,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
    };
    const created = await platform.call(replica, 'POST', '/api/v1/deployments', body);
    if (created.status !== 201) {
      const errors = replica.lines().filter((line) => line.includes('"level":"error"'));
      throw new Error(
        `${replica.name} answered ${created.status} to deployment ${index}: ${JSON.stringify(created.body)}\n${errors.slice(-2).join('\n')}`,
      );
    }
  };
  const createAll = async (from: number, to: number): Promise<void> => {
    let next = from;
    const worker = async () => {
      while (next < to) await create(next++);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  // A plain object, so a timeout prints how many deployments are in each status.
  const deploymentStatuses = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await platform.query<{ status: string; n: number }>(
          platform.usecasesDb,
          'SELECT status, count(*)::int AS n FROM deployments GROUP BY status',
        )
      ).map((row) => [row.status, row.n]),
    );

  it('runs every deployment with one job per component and folds each job event once, through a kill -9 of one replica of each', async () => {
    expect(await pollUntil(ownersOfLocal, (owners) => owners.length === 1, { what: 'one owner of local', timeoutMs: 10_000 })).toHaveLength(
      1,
    );

    const startedAt = Date.now();
    await createAll(0, DEPLOYMENTS / 2);
    const [owner] = await ownersOfLocal();
    const killedCluster = platform.budcluster[owner];
    const killedUsecases = platform.budusecases[0];
    const inFlightAtKill = DEPLOYMENTS / 2 - ((await deploymentStatuses()).running ?? 0);
    const killedAt = Date.now();
    await Promise.all([killedCluster.process.kill(), killedUsecases.process.kill()]);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // The survivor takes the cluster over; the restarted replica does not take it back.
    await pollUntil(ownersOfLocal, (owners) => owners.length === 1 && owners[0] === 1 - owner, {
      what: 'the survivor owns local',
      timeoutMs: 10_000,
    });
    console.log(`local handed over ${Date.now() - killedAt} ms after kill -9 of its owner (CLUSTER_OWNERSHIP_CHECK_MS=500)`);
    await Promise.all([killedCluster.start(), killedUsecases.start()]);
    await createAll(DEPLOYMENTS / 2, DEPLOYMENTS);
    expect(await ownersOfLocal()).toEqual([1 - owner]);
    expect(logged(platform.budcluster, 'owning cluster')).toHaveLength(2);

    await pollUntil(deploymentStatuses, (statuses) => statuses.running === DEPLOYMENTS, {
      what: `${DEPLOYMENTS} deployments running`,
      // A hang guard, not a speed claim: ~36 s alone, over 120 s when the whole suite shares 2 cores.
      timeoutMs: 300_000,
      intervalMs: 500,
    });
    console.log(`${DEPLOYMENTS} deployments running ${Date.now() - startedAt} ms after the first was created`);

    // Exactly one job per component, running, and each component recorded at its job's latest version.
    const jobs = await platform.query<{ id: string; usecase_deployment_id: string; source_id: string; status: string; version: number }>(
      platform.clusterDb,
      'SELECT id, usecase_deployment_id, source_id, status, version FROM jobs',
    );
    const jobsByDeployment = new Map<string, string[]>();
    for (const job of jobs)
      jobsByDeployment.set(job.usecase_deployment_id, [...(jobsByDeployment.get(job.usecase_deployment_id) ?? []), job.source_id]);
    expect(jobsByDeployment.size).toBe(DEPLOYMENTS);
    for (const sourceIds of jobsByDeployment.values()) expect(sourceIds.sort()).toEqual(COMPONENTS);
    expect(jobs.filter((job) => job.status !== 'running')).toEqual([]);
    const components = await platform.query<{ job_id: string; job_status: string; job_version: number }>(
      platform.usecasesDb,
      'SELECT job_id, job_status, job_version FROM deployment_components',
    );
    const recorded = new Map(components.map((component) => [component.job_id, `${component.job_status}@${component.job_version}`]));
    expect(jobs.filter((job) => recorded.get(job.id) !== `running@${job.version}`)).toEqual([]);

    // Every job event went out, none was applied twice though each was delivered to both replicas.
    await pollUntil(
      () => platform.query<{ n: number }>(platform.clusterDb, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'),
      (rows) => rows[0]?.n === 0,
      { what: 'every job event published', timeoutMs: 30_000, intervalMs: 200 },
    );
    const published = new Set(
      (await platform.query<{ id: string }>(platform.clusterDb, "SELECT event->>'id' AS id FROM outbox")).map((row) => row.id),
    );
    const applied = logged(platform.budusecases, 'job event applied').map((entry) => String(entry.event_id));
    const ignored = logged(platform.budusecases, 'job event changes nothing');
    const appliedTwice = applied.filter((id, index) => applied.indexOf(id) !== index);
    expect(appliedTwice).toEqual([]);
    expect(applied.filter((id) => !published.has(id))).toEqual([]);
    // At least each job's running event was applied; and each event also reached the replica that ignored it.
    expect(applied.length).toBeGreaterThanOrEqual(jobs.length);
    expect(ignored.length).toBeGreaterThanOrEqual(published.size);
  }, 480_000);
});
