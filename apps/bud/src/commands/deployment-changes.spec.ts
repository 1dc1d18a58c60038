import { changePlanSchema } from '@bud/contracts';
import type { DeploymentResponse } from '@bud/contracts';
import type { Call, Route } from '../../test/support/fake-cli';
import { bud, fakeFetch, page } from '../../test/support/fake-cli';
import { DEPLOYMENT_ID, makeChangePlan, makeComponent, makeDeployment } from '../../test/support/fixtures';

const BASE = 'http://127.0.0.1:9084/api/v1/deployments';
const byName: Record<string, Route> = { 'GET /api/v1/deployments': () => page([makeDeployment()]) };
const plan = makeChangePlan();

/** Answers a route from a list, the last answer again once the list is used up. */
function inTurn(...answers: DeploymentResponse[]): Route {
  let next = 0;
  return () => ({ status: 200, body: answers[Math.min(next++, answers.length - 1)] });
}

const dryRun = (call: Call) => new URL(call.url).searchParams.get('dry_run') === 'true';

describe('bud deployments update', () => {
  it('--dry-run sends the typed --set values as a dry run and prints the plan; nothing else is asked', async () => {
    const routes = fakeFetch({
      ...byName,
      [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: (call) => ({ status: dryRun(call) ? 200 : 500, body: plan }),
    });
    const result = await bud(
      ['deployments', 'update', 'rag', '--set', 'max_model_len=8192', '--set', 'log_level=debug', '--dry-run'],
      routes.fetchFn,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const patch = routes.calls.filter((c) => c.method === 'PATCH');
    expect(patch.map((c) => c.url)).toEqual([`${BASE}/${DEPLOYMENT_ID}?dry_run=true`]);
    expect(patch[0].body).toEqual({ parameters: { max_model_len: 8192, log_level: 'debug' } });
    expect(result.stdout).toContain('Update plan for rag (dry run: nothing was changed)');
    expect(result.stdout).toMatch(/^llm\s+rolling\s+\$3\.00 → \$6\.00\s+spec\.env\.MAX_MODEL_LEN\s+4096\s+8192$/m);
    expect(result.stdout).toMatch(/^Cost:\s+\$3\.80 → \$6\.30\/hour \(\+\$2\.50\)$/m);
    expect(result.stdout).toContain('Data at risk: 1 volume would be DESTROYED');
  });

  it('--dry-run -o json prints the plan as the API gave it', async () => {
    const { fetchFn } = fakeFetch({ [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: () => ({ status: 200, body: plan }) });
    const result = await bud(['deployments', 'update', DEPLOYMENT_ID, '--set', 'a=1', '--dry-run', '-o', 'json'], fetchFn);
    expect(result.code).toBe(0);
    expect(changePlanSchema.parse(JSON.parse(result.stdout))).toEqual(plan);
  });

  it.each([
    [['--set', 'max_model_len'], "--set expects key=value, got 'max_model_len'"],
    [['--set', '=8192'], "--set expects key=value, got '=8192'"],
    [[], '--set is required'],
  ])('refuses %j as a usage error before any request', async (flags, message) => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['deployments', 'update', 'rag', ...flags], fetchFn);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`);
    expect(calls).toEqual([]);
  });

  it('without --wait asks for the change once and says how to follow it', async () => {
    const { fetchFn, calls } = fakeFetch({
      [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: () => ({ status: 202, body: makeDeployment({ status: 'updating' }) }),
    });
    const result = await bud(['deployments', 'update', DEPLOYMENT_ID, '--set', 'a=1'], fetchFn);
    expect(result.code).toBe(0);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([`PATCH ${BASE}/${DEPLOYMENT_ID}`]);
    expect(result.stdout).toBe(`Update requested for rag (${DEPLOYMENT_ID}); follow it with: bud deployments show rag\n`);
  });

  it('--wait prints each component move with its health and exits 0 once the change is rolled out', async () => {
    const before = makeDeployment();
    const rolling = makeDeployment({
      status: 'updating',
      components: [
        makeComponent({ id: 'llm', status: 'updating', health: 'progressing', generation: 2 }),
        makeComponent({ id: 'orchestrator' }),
        makeComponent({ id: 'reranker' }),
        makeComponent({ id: 'vector-db' }),
      ],
    });
    const done = makeDeployment({
      components: [
        makeComponent({ id: 'llm', generation: 2 }),
        makeComponent({ id: 'orchestrator', generation: 2 }),
        makeComponent({ id: 'reranker', status: 'skipped', health: null, message: 'removed by update' }),
        makeComponent({ id: 'vector-db' }),
      ],
    });
    const { fetchFn, calls } = fakeFetch({
      [`GET /api/v1/deployments/${DEPLOYMENT_ID}`]: inTurn(before, rolling, done),
      [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: (call) =>
        dryRun(call) ? { status: 200, body: plan } : { status: 202, body: makeDeployment({ status: 'updating' }) },
    });
    const result = await bud(['deployments', 'update', DEPLOYMENT_ID, '--set', 'a=1', '--wait', '--timeout', '30'], fetchFn);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.url)).toEqual([
      `${BASE}/${DEPLOYMENT_ID}?dry_run=true`,
      `${BASE}/${DEPLOYMENT_ID}`,
    ]);
    expect(result.stdout).toContain('Update of rag');
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+llm\s+updating\s+progressing$/m);
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+orchestrator\s+running\s+healthy$/m);
    expect(result.stdout).toMatch(/^rag is running\.$/m);
    expect(result.stdout).toMatch(/^reranker\s+reranker\s+0\s+skipped\s+-\s+running\s+\$0\.10\s+removed by update$/m);
  });

  it('--wait exits 1 naming the reason when the deployment ends degraded', async () => {
    const degraded = makeDeployment({
      status: 'degraded',
      status_message: 'llm is unhealthy: 0/2 replicas ready',
      components: [makeComponent({ id: 'llm', generation: 2, health: 'unhealthy', health_message: '0/2 replicas ready' })],
    });
    const onlyLlm = makeChangePlan({ components: [plan.components[0]], blast_radius: [], data_at_risk: [] });
    const { fetchFn } = fakeFetch({
      [`GET /api/v1/deployments/${DEPLOYMENT_ID}`]: inTurn(makeDeployment(), degraded),
      [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: (call) =>
        dryRun(call) ? { status: 200, body: onlyLlm } : { status: 202, body: makeDeployment() },
    });
    const result = await bud(['deployments', 'update', DEPLOYMENT_ID, '--set', 'a=1', '--wait'], fetchFn);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+llm\s+running\s+unhealthy\s+0\/2 replicas ready$/m);
    expect(result.stderr).toBe('error: the change is rolled out but rag is degraded: llm is unhealthy: 0/2 replicas ready\n');
  });

  it('--wait does not wait when the plan changes nothing', async () => {
    const nothing = makeChangePlan({ components: [plan.components[3]], blast_radius: [], data_at_risk: [] });
    const { fetchFn } = fakeFetch({
      [`GET /api/v1/deployments/${DEPLOYMENT_ID}`]: inTurn(makeDeployment()),
      [`PATCH /api/v1/deployments/${DEPLOYMENT_ID}`]: (call) =>
        dryRun(call) ? { status: 200, body: nothing } : { status: 202, body: makeDeployment() },
    });
    const result = await bud(['deployments', 'update', DEPLOYMENT_ID, '--set', 'a=1', '--wait'], fetchFn);
    expect(result).toMatchObject({ code: 0, stdout: 'rag: nothing to roll out, every component is unchanged.\n' });
  });
});

describe('bud deployments scale', () => {
  const scalePath = `POST /api/v1/deployments/${DEPLOYMENT_ID}/components/llm/scale`;

  it.each([['-1'], ['abc'], ['1.5'], ['1001'], ['']])('refuses --replicas=%s as a usage error before any request', async (replicas) => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['deployments', 'scale', 'rag', 'llm', `--replicas=${replicas}`], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: --replicas must be a whole number from 0 to 1000, got '${replicas}'`);
    expect(calls).toEqual([]);
  });

  it('refuses --replicas -1 (a value node:util takes for an option) with the same message', async () => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['deployments', 'scale', 'rag', 'llm', '--replicas', '-1'], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("error: --replicas must be a whole number from 0 to 1000, got '-1'");
    expect(calls).toEqual([]);
  });

  it('refuses a missing --replicas or component before any request', async () => {
    const { fetchFn, calls } = fakeFetch({});
    expect((await bud(['deployments', 'scale', 'rag', 'llm'], fetchFn)).stderr).toMatch(/^error: --replicas is required\n/);
    expect((await bud(['deployments', 'scale', 'rag', '--replicas', '2'], fetchFn)).stderr).toMatch(/^error: missing <component>\n/);
    expect(calls).toEqual([]);
  });

  it('posts the replicas to the component, as a dry run with --dry-run', async () => {
    const scalePlan = makeChangePlan({
      action: 'scale',
      components: [{ ...plan.components[0], change: 'scale' }],
      blast_radius: [],
      data_at_risk: [],
    });
    const { fetchFn, calls } = fakeFetch({
      [scalePath]: (call) =>
        dryRun(call) ? { status: 200, body: scalePlan } : { status: 202, body: makeDeployment({ status: 'updating' }) },
    });
    const preview = await bud(['deployments', 'scale', DEPLOYMENT_ID, 'llm', '--replicas', '3', '--dry-run'], fetchFn);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/^Scale plan for /);
    expect(preview.stdout).toMatch(/^llm\s+scale\s+/m);
    const applied = await bud(['deployments', 'scale', DEPLOYMENT_ID, 'llm', '--replicas', '0'], fetchFn);
    expect(applied.code).toBe(0);
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      [`${BASE}/${DEPLOYMENT_ID}/components/llm/scale?dry_run=true`, { replicas: 3 }],
      [`${BASE}/${DEPLOYMENT_ID}/components/llm/scale`, { replicas: 0 }],
    ]);
  });
});

describe('bud deployments upgrade', () => {
  it('previews the move to the new version and posts --set values with the upgrade', async () => {
    const upgrade = makeChangePlan({ action: 'upgrade', template_version_after: '1.1.0' });
    const { fetchFn, calls } = fakeFetch({
      [`POST /api/v1/deployments/${DEPLOYMENT_ID}/upgrade`]: (call) =>
        dryRun(call) ? { status: 200, body: upgrade } : { status: 202, body: makeDeployment({ status: 'updating' }) },
    });
    const preview = await bud(['deployments', 'upgrade', DEPLOYMENT_ID, '--dry-run'], fetchFn);
    expect(preview.stdout).toMatch(/^Template version:\s+1\.0\.0 → 1\.1\.0$/m);
    await bud(['deployments', 'upgrade', DEPLOYMENT_ID, '--set', 'top_k=5'], fetchFn);
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      [`${BASE}/${DEPLOYMENT_ID}/upgrade?dry_run=true`, { parameters: {} }],
      [`${BASE}/${DEPLOYMENT_ID}/upgrade`, { parameters: { top_k: 5 } }],
    ]);
  });
});

describe('bud deployments delete', () => {
  const teardown = makeChangePlan({
    action: 'delete',
    components: plan.components.map((c) => ({ ...c, change: 'remove' as const, fields: [], estimated_cost_per_hour_after: '0.000000' })),
    blast_radius: [],
  });

  it('--dry-run prints the teardown plan with the data at risk; --keep-data asks without destroying it', async () => {
    const { fetchFn, calls } = fakeFetch({
      [`DELETE /api/v1/deployments/${DEPLOYMENT_ID}`]: (call) => {
        const keep = new URL(call.url).searchParams.get('keep_data') === 'true';
        return { status: 200, body: keep ? { ...teardown, data_at_risk: [] } : teardown };
      },
    });
    const destroying = await bud(['deployments', 'delete', DEPLOYMENT_ID, '--dry-run'], fetchFn);
    expect(destroying.stdout).toMatch(/^Delete plan for /);
    expect(destroying.stdout).toMatch(/^reranker\s+cache\s+reranker-cache\s+10Gi\s+\$1\.00$/m);
    const keeping = await bud(['deployments', 'delete', DEPLOYMENT_ID, '--dry-run', '--keep-data'], fetchFn);
    expect(keeping.stdout).toContain('Data at risk: none; no volume is destroyed.');
    expect(calls.map((c) => c.url)).toEqual([
      `${BASE}/${DEPLOYMENT_ID}?dry_run=true`,
      `${BASE}/${DEPLOYMENT_ID}?dry_run=true&keep_data=true`,
    ]);
  });

  it('deletes with keep_data=true under --keep-data, and says whether the volumes go', async () => {
    const { fetchFn, calls } = fakeFetch({
      [`DELETE /api/v1/deployments/${DEPLOYMENT_ID}`]: () => ({ status: 202, body: makeDeployment({ status: 'deleting' }) }),
    });
    const kept = await bud(['deployments', 'delete', DEPLOYMENT_ID, '--keep-data'], fetchFn);
    expect(kept.stdout).toMatch(/its volumes are kept\n$/);
    const destroyed = await bud(['deployments', 'delete', DEPLOYMENT_ID], fetchFn);
    expect(destroyed.stdout).toMatch(/its volumes are destroyed\n$/);
    expect(calls.map((c) => c.url)).toEqual([`${BASE}/${DEPLOYMENT_ID}?keep_data=true`, `${BASE}/${DEPLOYMENT_ID}`]);
  });
});
