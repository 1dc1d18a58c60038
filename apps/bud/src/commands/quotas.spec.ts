import { quotaResponseSchema } from '@bud/contracts';
import { bud, fakeFetch, page } from '../../test/support/fake-cli';

const LOCAL_ID = '11111111-1111-4111-8111-111111111111';
const TENANT = '44444444-4444-4444-8444-444444444444';
const clusters = { 'GET /api/v1/clusters': () => page([{ id: LOCAL_ID, name: 'local' }]) };
const quotasPath = `/api/v1/clusters/${LOCAL_ID}/quotas`;
const quota = quotaResponseSchema.parse({
  cluster_id: LOCAL_ID,
  tenant_id: TENANT,
  source: 'tenant',
  gpus: { 'H100-80GB': { nominal: 4, borrowing_limit: 2 }, L4: { nominal: 1, borrowing_limit: null } },
  cpu: { nominal: '32', borrowing_limit: null },
  memory: null,
  weight: 2,
  cohort: true,
  usage: { gpus: { 'H100-80GB': { admitted: 5, borrowed: 1, queued: 2 } }, cpu: '4', memory: '16Gi' },
  updated_at: '2026-01-10T11:00:00.000Z',
});
const defaultQuota = { ...quota, tenant_id: null, source: 'built-in', gpus: {}, cpu: null, weight: 1, usage: null, updated_at: null };

describe('bud quotas list', () => {
  it('shows each quota with nominal+borrowing per GPU type, what its work holds and what waits', async () => {
    const { fetchFn } = fakeFetch({ ...clusters, [`GET ${quotasPath}`]: () => page([quota, defaultQuota]) });
    const result = await bud(['quotas', 'list', '--cluster', 'local'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^TENANT\s+SOURCE\s+GPUS\s+CPU\/MEMORY\s+IN USE\s+QUEUED\s+WEIGHT\s+COHORT$/m);
    expect(result.stdout).toMatch(
      new RegExp(
        `^${TENANT}\\s+tenant\\s+H100-80GB 4\\+2, L4 1\\+any\\s+cpu 32\\+any\\s+H100-80GB 5 \\(1 borrowed\\)\\s+H100-80GB 2\\s+2\\s+yes$`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(/^default\s+built-in\s+-\s+unlimited\s+-\s+-\s+1\s+yes$/m);
  });

  it('passes the answer through with -o json', async () => {
    const { fetchFn } = fakeFetch({ ...clusters, [`GET ${quotasPath}`]: () => page([quota]) });
    const result = await bud(['quotas', 'list', '--cluster', 'local', '-o', 'json'], fetchFn);
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ tenant_id: TENANT }] });
  });
});

describe('bud quotas set', () => {
  it('puts the quota the flags describe for a tenant, and shows what budcluster saved', async () => {
    const { fetchFn, calls } = fakeFetch({ ...clusters, [`PUT ${quotasPath}/${TENANT}`]: () => ({ status: 200, body: quota }) });
    const result = await bud(
      [
        'quotas',
        'set',
        '--cluster',
        'local',
        '--tenant',
        TENANT,
        '--gpu',
        'H100-80GB=4:2',
        '--gpu',
        'L4=1',
        '--cpu',
        '32',
        '--weight',
        '2',
      ],
      fetchFn,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(calls.at(-1)).toMatchObject({
      method: 'PUT',
      body: {
        gpus: { 'H100-80GB': { nominal: 4, borrowing_limit: 2 }, L4: { nominal: 1, borrowing_limit: null } },
        cpu: { nominal: '32', borrowing_limit: null },
        weight: 2,
        cohort: true,
      },
    });
    expect(result.stdout).toMatch(/H100-80GB 4\+2, L4 1\+any/);
  });

  it("sets the cluster's default quota outside the cohort", async () => {
    const { fetchFn, calls } = fakeFetch({
      ...clusters,
      [`PUT ${quotasPath}/default`]: () => ({ status: 200, body: { ...defaultQuota, source: 'default', cohort: false } }),
    });
    const result = await bud(['quotas', 'set', '--cluster', 'local', '--tenant', 'default', '--gpu', 'L4=1', '--no-cohort'], fetchFn);
    expect(result.code).toBe(0);
    expect(calls.at(-1)?.body).toEqual({ gpus: { L4: { nominal: 1, borrowing_limit: null } }, weight: 1, cohort: false });
  });

  const refusals: Array<{ name: string; flags: string[]; message: RegExp }> = [
    {
      name: 'a GPU flag without a number',
      flags: ['--gpu', 'H100-80GB=four'],
      message: /--gpu must be <gpu type>=<nominal>\[:<borrowing limit>\].*'H100-80GB=four'/,
    },
    { name: 'a negative GPU count', flags: ['--gpu', 'H100-80GB=-1'], message: /--gpu must be .*'H100-80GB=-1'/ },
    { name: 'the same GPU type twice', flags: ['--gpu', 'L4=1', '--gpu', 'L4=2'], message: /--gpu names L4 twice/ },
    { name: 'a weight of 0', flags: ['--weight', '0'], message: /--weight: must be at least 0.01/ },
    {
      name: 'a weight that is no number',
      flags: ['--weight', 'heavy'],
      message: /--weight must be a number of at least 0.01, got 'heavy'/,
    },
    { name: 'a negative weight', flags: ['--weight', '-1'], message: /--weight: must be at least 0.01/ },
    { name: 'a negative CPU amount', flags: ['--cpu', '-2'], message: /^error: --cpu: / },
    {
      name: 'a borrowing limit outside the cohort',
      flags: ['--gpu', 'L4=1:1', '--no-cohort'],
      message: /--gpu L4: borrowing limit needs the cohort.*\(with --no-cohort\)/,
    },
    { name: 'a CPU amount that is no quantity', flags: ['--cpu', 'lots'], message: /^error: --cpu: / },
    {
      name: 'a memory flag with two limits',
      flags: ['--memory', '1Gi:1Gi:1Gi'],
      message: /--memory must be <nominal>\[:<borrowing limit>\]/,
    },
    {
      name: 'a tenant that is neither a UUID nor default',
      flags: ['--tenant', 'acme'],
      message: /--tenant must be a tenant id \(a UUID\) or 'default', got 'acme'/,
    },
  ];
  it.each(refusals)('refuses $name with a message naming the flag, and asks nothing', async ({ flags, message }) => {
    const { fetchFn, calls } = fakeFetch(clusters);
    const tenant = flags.includes('--tenant') ? [] : ['--tenant', TENANT];
    const result = await bud(['quotas', 'set', '--cluster', 'local', ...tenant, ...flags], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(calls).toEqual([]);
  });

  it("reports budcluster's refusal (a non-admin) as the platform's", async () => {
    const { fetchFn } = fakeFetch({
      ...clusters,
      [`PUT ${quotasPath}/${TENANT}`]: () => ({ status: 403, body: { error: 'forbidden', message: 'needs platform:admin' } }),
    });
    const result = await bud(['quotas', 'set', '--cluster', 'local', '--tenant', TENANT, '--gpu', 'L4=1'], fetchFn);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/platform:admin/);
  });
});

describe('bud jobs list', () => {
  it('shows a waiting job’s place in its queue and an admitted job’s flavor', async () => {
    const job = (name: string, fields: Record<string, unknown>) => ({
      id: `${name}-id`,
      name,
      job_type: 'batch',
      source_type: 'manual',
      source_id: null,
      resources: { gpu_type: 'H100-80GB', gpu_count: 1, replicas: 1 },
      estimated_cost_per_hour: '4.500000',
      created_at: '2026-01-10T11:00:00.000Z',
      queue_position: null,
      admitted_flavor: null,
      ...fields,
    });
    const { fetchFn } = fakeFetch({
      ...clusters,
      [`GET /api/v1/clusters/${LOCAL_ID}/jobs`]: () =>
        page([job('waits', { status: 'queued', queue_position: 2 }), job('runs', { status: 'running', admitted_flavor: 'gpu-h100-80gb' })]),
    });
    const result = await bud(['jobs', 'list', '--cluster', 'local'], fetchFn);
    expect(result.stdout).toMatch(/^NAME\s+ID\s+STATUS\s+QUEUE\s+TYPE/m);
    expect(result.stdout).toMatch(/^waits\s+waits-id\s+queued\s+#2\s+batch/m);
    expect(result.stdout).toMatch(/^runs\s+runs-id\s+running\s+gpu-h100-80gb\s+batch/m);
  });
});
