import type { FetchFn } from './api/api-client';
import { bud, fakeFetch, page } from '../test/support/fake-cli';

const cluster = (name: string, id: string) => ({ id, name, type: 'simulated', tenant_id: null, status: 'ready', gpu_inventory: {} });
const LOCAL_ID = '11111111-1111-4111-8111-111111111111';

describe('runCli', () => {
  it('prints help on stdout and exits 0', async () => {
    const result = await bud(['--help'], fakeFetch({}).fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('deploy <template>');
  });

  it('reports a usage error on stderr with exit 2, calling nothing', async () => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['templates', 'list', '--bogus'], fetchFn);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^error: unknown option '--bogus'\nUsage: bud templates list/);
    expect(calls).toEqual([]);
  });

  it('names the URL and suggests npm start when a service cannot be reached', async () => {
    const result = await bud(['templates', 'list', '--api-url', 'http://127.0.0.1:9'], fakeFetch({}).fetchFn);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach budusecases at http://127.0.0.1:9 (ECONNREFUSED)');
    expect(result.stderr).toContain('npm start');
  });

  it('prints an API error as its message and every field path, never as raw JSON', async () => {
    const details = [
      { path: 'parameters.gpu_count', message: 'must be at most 8' },
      { path: 'parameters.nope', message: 'is not a parameter of this template' },
    ];
    const { fetchFn } = fakeFetch({
      'GET /api/v1/clusters': () => page([cluster('local', LOCAL_ID)]),
      'POST /api/v1/deployments': () => ({
        status: 422,
        body: {
          status_code: 422,
          error: 'validation_failed',
          message: 'the deployment is invalid: parameters.gpu_count must be at most 8',
          details,
        },
      }),
    });
    const result = await bud(
      ['deploy', 'simple-chatbot-v1', '--cluster', 'local', '--name', 'x', '--set', 'gpu_count=99', '--set', 'nope=1'],
      fetchFn,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'error: the deployment is invalid: parameters.gpu_count must be at most 8',
      '  parameters.gpu_count: must be at most 8',
      '  parameters.nope: is not a parameter of this template',
      '',
    ]);
  });

  it('resolves a cluster name and sends typed --set values with the token', async () => {
    const { fetchFn, calls } = fakeFetch({
      'GET /api/v1/clusters': () => page([cluster('other', '22222222-2222-4222-8222-222222222222'), cluster('local', LOCAL_ID)]),
      'POST /api/v1/deployments': () => ({
        status: 201,
        body: {
          id: '33333333-3333-4333-8333-333333333333',
          name: 'x',
          template_id: 't',
          template_version: '1.0.0',
          status: 'pending',
          estimated_cost_per_hour: '1.000000',
          components: [],
        },
      }),
    });
    const result = await bud(
      ['deploy', 't', '--cluster', 'local', '--name', 'x', '--set', 'gpu_count=2', '--set', 'model_id=a/b', '-o', 'json'],
      fetchFn,
      { BUD_TOKEN: 'tok' },
    );
    expect(result.code).toBe(0);
    const create = calls.find((c) => c.method === 'POST')!;
    expect(create.url).toBe('http://127.0.0.1:9084/api/v1/deployments');
    expect(create.body).toEqual({
      template_id: 't',
      name: 'x',
      cluster_id: LOCAL_ID,
      parameters: { gpu_count: 2, model_id: 'a/b' },
      on_failure: 'stop',
    });
    expect(calls.every((c) => c.authorization === 'Bearer tok')).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'x', status: 'pending' });
  });

  it('refuses an unknown failure policy as a usage error, before even looking the cluster up', async () => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['deploy', 't', '--cluster', 'local', '--name', 'x', '--set', 'a=1', '--on-failure', 'sometimes'], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --on-failure must be stop or rollback, got 'sometimes'\nUsage: bud deploy/);
    expect(calls).toEqual([]);
  });

  it('asks for a dry run with ?dry_run=true', async () => {
    const plan = {
      template_id: 't',
      template_version: '1.0.0',
      parameters: {},
      waves: [],
      skipped: [],
      total: { components: 0, gpus: {}, estimated_cost_per_hour: '0.000000' },
      capacity: { admits: true, gpus: [], message: 'ok' },
    };
    const { fetchFn, calls } = fakeFetch({ 'POST /api/v1/deployments': () => ({ status: 200, body: plan }) });
    const result = await bud(['deploy', 't', '--cluster', LOCAL_ID, '--name', 'x', '--dry-run'], fetchFn);
    expect(result.code).toBe(0);
    expect(calls.map((c) => c.url)).toEqual(['http://127.0.0.1:9084/api/v1/deployments?dry_run=true']);
    expect(result.stdout).toContain('dry run: nothing was created');
  });

  it('fails with exit 1, listing the clusters there are, for an unknown cluster name', async () => {
    const { fetchFn } = fakeFetch({ 'GET /api/v1/clusters': () => page([cluster('local', LOCAL_ID)]) });
    const result = await bud(['jobs', 'list', '--cluster', 'nowhere'], fetchFn);
    expect(result).toMatchObject({ code: 1, stderr: "error: no cluster named 'nowhere'; the clusters you can use: local\n" });
  });

  it('tells the user how to authenticate on a 401', async () => {
    const { fetchFn } = fakeFetch({
      'GET /api/v1/templates': () => ({
        status: 401,
        body: { status_code: 401, error: 'unauthenticated', message: 'a bearer token is required' },
      }),
    });
    const result = await bud(['templates', 'list'], fetchFn);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: a bearer token is required\nbudusecases needs a token: pass --token or set BUD_TOKEN.\n');
  });

  it('reports an answer that is not the platform error body with its status', async () => {
    const fetchFn = (async () => new Response('<html>Bad Gateway</html>', { status: 502 })) as FetchFn;
    const result = await bud(['clusters', 'list'], fetchFn);
    expect(result).toMatchObject({ code: 1, stderr: 'error: GET /api/v1/clusters answered HTTP 502: <html>Bad Gateway</html>\n' });
  });

  it('reports a config file that $BUD_CONFIG names but that does not exist, with exit 2', async () => {
    const result = await bud(['templates', 'list'], fakeFetch({}).fetchFn, { BUD_CONFIG: '/nonexistent/bud.json' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read the config file /nonexistent/bud.json');
  });
});
