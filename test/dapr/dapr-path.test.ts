import { callApi, metricValue, pollUntil } from '@bud/testing';
import type { Caller, RequestOptions } from '@bud/testing';
import { APP_API_TOKEN, DaprPlatform } from './support/dapr-platform';

const JOB_EVENTS_ROUTE = '/api/v1/events/job-events';

/**
 * budcluster and budusecases each behind a real daprd: every call between them goes through both sidecars
 * (service invocation) and every job event through Redis Streams (pub/sub). The services' direct URLs point
 * at a closed port, so nothing here can work except through Dapr.
 */
describe('the platform over real Dapr sidecars', () => {
  const platform = new DaprPlatform();
  let owner: Caller;
  let clusterId = '';

  const call = <T = any>(base: string, method: string, path: string, options?: RequestOptions) =>
    callApi<T>(base, owner, method, path, options);
  const usecases = (method: string, path: string, options?: RequestOptions) => call(platform.budusecases.url, method, path, options);
  const deploymentStatus = async (id: string) => (await usecases('GET', `/api/v1/deployments/${id}`)).body?.status as string | undefined;
  const waitForStatus = (id: string, status: string, timeoutMs = 60_000) =>
    pollUntil(
      () => deploymentStatus(id),
      (s) => s === status,
      { what: `deployment ${id} ${status}`, timeoutMs, intervalMs: 100, abortIf: () => platform.budusecases.exited },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${platform.logs()}`);
    });
  /** How many times budusecases answered the subscription route with `status` (its Prometheus histogram count). */
  const deliveries = async (status: number): Promise<number> => {
    const exposition = await (await fetch(`${platform.budusecases.url}/metrics`)).text();
    return metricValue(exposition, 'http_request_duration_seconds_count', { route: JOB_EVENTS_ROUTE, status: String(status) }) ?? 0;
  };
  const ragDeployment = (name: string) => ({
    template_id: 'simple-rag-v1',
    name,
    cluster_id: clusterId,
    parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
  });
  /** Deploys simple-rag-v1, waits for running, and returns it with the job of one of its components. */
  const runningRag = async (name: string, componentId: string): Promise<{ id: string; job: { id: string } }> => {
    const created = await usecases('POST', '/api/v1/deployments', { body: ragDeployment(name) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitForStatus(id, 'running');
    const jobs = await call(platform.budcluster.url, 'GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`);
    return { id, job: jobs.body.items.find((j: { source_id: string }) => j.source_id === `${componentId}#1`) };
  };
  const componentOf = async (deploymentId: string, componentId: string) =>
    ((await usecases('GET', `/api/v1/deployments/${deploymentId}`)).body.components ?? []).find(
      (c: { id: string }) => c.id === componentId,
    );

  beforeAll(async () => {
    await platform.start();
    owner = await platform.caller();
    const cluster = await call(platform.budcluster.url, 'POST', '/api/v1/clusters', {
      body: { name: 'dapr-bed', type: 'simulated', settings: { admit_delay_ms: 0, ready_delay_ms: 0 } },
    });
    expect(cluster.status).toBe(201);
    clusterId = cluster.body.id;
  }, 180_000);
  afterAll(() => platform.stop(), 60_000);

  it("invokes budcluster through the sidecars with the caller's token, and its verdict comes back", async () => {
    // Straight through budusecases' sidecar to budcluster's: the Authorization header reaches budcluster.
    const viaSidecar = (caller: Caller | null) =>
      call(platform.usecasesSidecar.url, 'GET', `/v1.0/invoke/budcluster/method/api/v1/clusters/${clusterId}`, { caller });
    const asOwner = await viaSidecar(owner);
    expect(asOwner).toMatchObject({ status: 200, body: { id: clusterId, name: 'dapr-bed' } });
    const anonymous = await viaSidecar(null);
    expect(anonymous).toMatchObject({ status: 401, body: { status_code: 401, error: 'unauthenticated' } });
    const otherTenant = await platform.caller();
    expect((await viaSidecar(otherTenant)).status).toBe(404);

    // Through budusecases' own client: the dry run reads the cluster and its price table from budcluster.
    const plan = await usecases('POST', '/api/v1/deployments?dry_run=true', { body: ragDeployment('dapr-dry-run') });
    expect(plan.status).toBe(200);
    expect(Number(plan.body.total.estimated_cost_per_hour)).toBeGreaterThan(0);
    expect(plan.body.capacity).toBeDefined();
    // Another tenant's token travels the same path, so budcluster hides the cluster and says which field is wrong.
    const foreign = await usecases('POST', '/api/v1/deployments?dry_run=true', {
      body: ragDeployment('dapr-dry-run'),
      caller: otherTenant,
    });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBeLessThan(500);
    expect(JSON.stringify(foreign.body.details ?? foreign.body)).toContain('cluster_id');
  });

  it('deploys simple-rag-v1 to running, stops and deletes it, with job events delivered by Dapr pub/sub', async () => {
    // budusecases' sidecar asked the app what it subscribes to, as Dapr does at start-up.
    const metadata = await platform.usecasesSidecar.metadata();
    expect(metadata.subscriptions).toContainEqual(
      expect.objectContaining({ pubsubname: 'pubsub', topic: 'job-events', rules: [expect.objectContaining({ path: JOB_EVENTS_ROUTE })] }),
    );
    const deliveredBefore = await deliveries(200);

    const started = Date.now();
    const created = await usecases('POST', '/api/v1/deployments', { body: ragDeployment('dapr-rag') });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const running = await waitForStatus(id, 'running');
    console.log(`simple-rag-v1 over Dapr: POST → running in ${Date.now() - started} ms`);
    expect(running).toBe('running');
    // Component status moves only on job events (the reconciler never polls a running job), so each arrived over Dapr;
    // the route declares bulkSubscribe, so the sidecar may carry several in one request.
    expect((await deliveries(200)) - deliveredBefore).toBeGreaterThanOrEqual(1);
    const jobs = await call(platform.budcluster.url, 'GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`);
    expect(jobs.body.items.map((j: { source_id: string }) => j.source_id).sort()).toEqual([
      'embedding#1',
      'llm#1',
      'orchestrator#1',
      'vector-db#1',
    ]);

    expect((await usecases('POST', `/api/v1/deployments/${id}/stop`)).status).toBe(202);
    await waitForStatus(id, 'stopped');
    expect((await usecases('DELETE', `/api/v1/deployments/${id}`)).status).toBe(202);
    await pollUntil(
      () => usecases('GET', `/api/v1/deployments/${id}`),
      (a) => a.status === 404,
      { what: `deployment ${id} gone`, timeoutMs: 60_000, intervalMs: 100 },
    );
    const left = await call(platform.budcluster.url, 'GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${id}&page_size=100`);
    expect(left.body.items).toEqual([]);
  });

  it('accepts job events only as Dapr pub/sub delivers them: with the app API token, and not by service invocation', async () => {
    const { id } = await runningRag('dapr-forged', 'llm');
    const llm = await componentOf(id, 'llm');
    const forged = {
      specversion: '1.0',
      id: `forged-${id}`,
      source: 'budcluster',
      type: 'bud.job.running',
      data: {
        job_id: llm.job_id,
        tenant_id: owner.tenantId,
        cluster_id: clusterId,
        source_type: 'usecase',
        source_id: 'llm#1',
        usecase_deployment_id: id,
        status: 'running',
        previous_status: 'running',
        status_reason: null,
        status_message: null,
        outputs: { url: 'http://attacker.example:8080' },
        version: 1000,
        occurred_at: new Date().toISOString(),
      },
    };
    const post = (base: string, path: string, headers: Record<string, string> = {}) =>
      call(base, 'POST', path, { caller: null, body: forged, headers });
    const refusedBefore = await deliveries(401);
    const attempts = [
      await post(platform.budusecases.url, JOB_EVENTS_ROUTE),
      await post(platform.budusecases.url, JOB_EVENTS_ROUTE, { 'dapr-api-token': 'not-the-app-api-token-of-the-sidecars' }),
      await post(platform.budusecases.url, JOB_EVENTS_ROUTE, { authorization: `Bearer ${owner.token}` }),
      // budusecases' sidecar adds the app API token to service invocations too; their caller's app id gives them away.
      await post(platform.clusterSidecar.url, `/v1.0/invoke/budusecases/method${JOB_EVENTS_ROUTE}`),
    ];
    for (const answer of attempts) expect(answer).toMatchObject({ status: 401, body: { status_code: 401, error: 'unauthenticated' } });
    // Every attempt reached the app and was refused there (counted once each response has ended).
    await pollUntil(
      () => deliveries(401),
      (n) => n - refusedBefore === attempts.length,
      { what: `${attempts.length} refusals on the route`, timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(await componentOf(id, 'llm')).toMatchObject({ status: 'running', outputs: llm.outputs });

    // The right token, straight from a process on the app's host, is what the sidecar shows: accepted.
    const harmless = { ...forged, id: `harmless-${id}`, data: { ...forged.data, usecase_deployment_id: owner.userId } };
    const asSidecar = await call(platform.budusecases.url, 'POST', JOB_EVENTS_ROUTE, {
      caller: null,
      body: harmless,
      headers: { 'dapr-api-token': APP_API_TOKEN },
    });
    expect(asSidecar).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });

    // Dapr's own deliveries still fold: the deployment stops on the job events of its cancelled jobs.
    expect((await usecases('POST', `/api/v1/deployments/${id}/stop`)).status).toBe(202);
    await waitForStatus(id, 'stopped');
  });

  it('redelivers a job event the subscriber answered with an error', async () => {
    // The first job event budusecases folds fails (its transaction rolls back and the route answers 500).
    await platform.startUsecases({ CRASH_AT: 'event.before-commit:1:error', LOG_LEVEL: 'debug' });
    const failedBefore = await deliveries(500);
    const created = await usecases('POST', '/api/v1/deployments', { body: ragDeployment('dapr-redelivery') });
    expect(created.status).toBe(201);
    const output = () => platform.budusecases.output.join('');
    const failedEvent = await pollUntil(
      () => /crash point event\.before-commit reached \(event ([^)]+)\): failing this pass/.exec(output())?.[1],
      Boolean,
      {
        what: 'the injected failure',
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    // The route asked for it again: a 500 for a single delivery (recorded once the response is sent, a moment after the
    // log line), or RETRY for its entry of a bulk delivery (logged with the event's id).
    await pollUntil(
      async () =>
        (await deliveries(500)) > failedBefore ||
        output()
          .split('\n')
          .some((line) => line.includes('asked for redelivery') && line.includes(`event_id=${failedEvent}`)),
      Boolean,
      { what: 'a 500 or a RETRY on the subscription route', timeoutMs: 10_000, intervalMs: 50 },
    );
    // The very event that failed is delivered again: applied, or found already superseded by a later event of its job.
    const handledAgain = (text: string) =>
      text.split('\n').some((line) => line.includes(`event_id=${failedEvent}`) && /job event (applied|changes nothing)/.test(line));
    await pollUntil(output, handledAgain, { what: `event ${failedEvent} redelivered`, timeoutMs: 60_000, intervalMs: 100 }).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}\n${output()
            .split('\n')
            .filter((l) => l.includes(failedEvent!))
            .join('\n')}\n${platform.logs()}`,
        );
      },
    );
    await waitForStatus(created.body.id, 'running');
  });

  it('delivers the job events that came while budusecases was down once it is back', async () => {
    await platform.startUsecases();
    const { id, job: llmJob } = await runningRag('dapr-app-down', 'llm');

    await platform.budusecases.kill();
    const sidecarLog = () => platform.usecasesSidecar.output.join('');
    const logBefore = sidecarLog().length;
    // The job ends behind budusecases' back; its event reaches a sidecar whose app is gone, and stays pending.
    expect((await call(platform.budcluster.url, 'DELETE', `/api/v1/clusters/${clusterId}/jobs/${llmJob.id}`)).status).toBe(202);
    await pollUntil(
      () => sidecarLog().slice(logBefore),
      // One event at a time the sidecar names the refused connection; a bulk delivery's failure is retried as the input's.
      (text) =>
        /error while publishing a subscribed message to topic job-events.*connection refused|Error processing operation component\[pubsub\] input/.test(
          text,
        ),
      {
        what: 'a failed delivery to the stopped app',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    await platform.startUsecases();

    const llm = await pollUntil(
      () => componentOf(id, 'llm'),
      (c) => c?.job_status === 'cancelled',
      {
        what: 'the llm component to learn its job was cancelled',
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    expect(llm.job_id).toBe(llmJob.id);
  });

  it("keeps budcluster's events in its outbox while its sidecar is down, and publishes them when it is back", async () => {
    const { id, job: embeddingJob } = await runningRag('dapr-sidecar-down', 'embedding');

    await platform.clusterSidecar.stop();
    // Invocation has no path to budcluster now: budusecases says so instead of hanging or answering 500.
    const plan = await usecases('POST', '/api/v1/deployments?dry_run=true', { body: ragDeployment('dapr-no-path') });
    expect(plan).toMatchObject({ status: 503, body: { error: 'upstream_unavailable', message: expect.stringContaining('budcluster') } });
    // The cancellation commits in budcluster; its event cannot be published and waits in the outbox.
    const logBefore = platform.budcluster.output.join('').length;
    expect((await call(platform.budcluster.url, 'DELETE', `/api/v1/clusters/${clusterId}/jobs/${embeddingJob.id}`)).status).toBe(202);
    await pollUntil(
      () => platform.budcluster.output.join('').slice(logBefore),
      (text) => text.includes('publish failed; will retry'),
      {
        what: 'the relay failing to publish',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect((await componentOf(id, 'embedding')).job_status).toBe('running');

    await platform.clusterSidecar.start();
    await pollUntil(
      () => componentOf(id, 'embedding'),
      (c) => c?.job_status === 'cancelled',
      { what: 'the embedding component to learn its job was cancelled', timeoutMs: 60_000, intervalMs: 100 },
    );
  });
});
