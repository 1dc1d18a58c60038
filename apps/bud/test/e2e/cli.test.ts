import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from '@bud/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI meets the platform as budusecases' own suites start it: budcluster a process, budusecases on a fresh database, JWT auth
import { startUsecasesHarness } from '../../../budusecases/test/support/harness';

interface BudRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** The CLI as a user runs it: the real bin script, in its own process, configured by file and environment. */
describe('bud, the command line, against running services', () => {
  let h: Awaited<ReturnType<typeof startUsecasesHarness>>;
  let home: string;
  let configPath: string;
  const name = `cli-${randomUUID().slice(0, 8)}`;

  const bud = (args: string[], env: Record<string, string> = {}): Promise<BudRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, 'apps/bud/bin/bud.js'), ...args], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: home, BUD_CONFIG: configPath, BUD_TOKEN: h.tenantA.token, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const deploymentByName = async (wanted: string) =>
    (await h.http('GET', '/api/v1/deployments?page_size=100')).body.items.find((d: any) => d.name === wanted);
  /** With its components, which the list leaves out. */
  const deploymentWithComponents = async (wanted: string) =>
    (await h.http('GET', `/api/v1/deployments/${(await deploymentByName(wanted)).id}`)).body;

  beforeAll(async () => {
    h = await startUsecasesHarness();
    home = mkdtempSync(join(tmpdir(), 'bud-cli-home-'));
    // URLs from the config file, the token from the environment: both sources, as a user would set them up.
    configPath = join(home, 'bud.json');
    writeFileSync(configPath, JSON.stringify({ api_url: h.usecases.url, cluster_api_url: h.cluster.url }));
  });
  afterAll(async () => {
    await h?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('lists the system templates, simple-rag-v1 among them, as a table and as JSON', async () => {
    const table = await bud(['templates', 'list']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^ID\s+NAME\s+CATEGORY/);
    expect(table.stdout).toMatch(/^simple-rag-v1\s+Simple RAG\s+rag\s+1\.1\.0\s+4\s+system$/m);

    const json = await bud(['templates', 'list', '--output', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).items.map((t: any) => t.id)).toContain('simple-rag-v1');
  });

  it('shows the shared simulated cluster', async () => {
    const result = await bud(['clusters', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^local\\s+${h.localClusterId}\\s+simulated\\s+ready\\s+yes`, 'm'));
  });

  it('prints the plan of a dry run and creates nothing', async () => {
    const result = await bud(['deploy', 'simple-rag-v1', '--cluster', 'local', '--name', name, '--set', `model_id=${MODEL}`, '--dry-run']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('dry run: nothing was created');
    expect(result.stdout).toMatch(/^\s*0\s+llm\s+vllm-endpoint\s+model\s+1x A100-80GB\s+\$\d+\.\d{2}/m);
    expect(result.stdout).toMatch(/^\s*1\s+orchestrator\s+rag-orchestrator\s+docker\s+-/m);
    expect(result.stdout).toMatch(/^Total:\s+4 components, 1x A100-80GB, \$\d+\.\d{2}\/hour$/m);
    expect(result.stdout).toMatch(/^Capacity:\s+fits: /m);
    // docs/templates.md#typed-contracts: the model catalog's numbers for the LLM, and the wiring's protocols.
    expect(result.stdout).toMatch(/^Contract checks:$/m);
    expect(result.stdout).toMatch(/^\s+ok\s+llm: gpu memory: meta-llama\/Llama-3\.1-8B-Instruct needs [\d.]+ GB .* give [\d.]+ GB/m);
    expect(result.stdout).toMatch(/^\s+ok\s+orchestrator: protocol: VECTOR_DB_URL ← vector-db\.url speaks qdrant$/m);
    expect(await deploymentByName(name)).toBeUndefined();
  });

  it('deploys with --wait, printing each component as it changes, and exits 0 once running', async () => {
    const result = await bud([
      'deploy',
      'simple-rag-v1',
      '--cluster',
      'local',
      '--name',
      name,
      '--set',
      `model_id=${MODEL}`,
      '--wait',
      '--timeout',
      '60',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const progress = result.stdout.split('\n').filter((l) => /^\s+\d\d:\d\d:\d\d\s/.test(l));
    const has = (subject: string, status: string) => progress.some((l) => new RegExp(`^\\s+\\S+\\s+${subject}\\s+${status}\\b`).test(l));
    for (const component of ['vector-db', 'embedding', 'llm', 'orchestrator']) {
      expect(has(component, 'deploying')).toBe(true);
      expect(has(component, 'running')).toBe(true);
    }
    // The wait ends on the deployment's own status event. Order across components is not asserted: an event the
    // server's stream passes over is printed when the CLI reads the stream again, a little late.
    expect(progress.at(-1)).toMatch(new RegExp(`^\\s+\\S+\\s+${name}\\s+running$`));
    expect(result.stdout).toContain(`${name} is running: 4 components`);
    expect((await deploymentByName(name)).status).toBe('running');
  });

  it('shows the deployment as running, by name, as a table and as JSON', async () => {
    const table = await bud(['deployments', 'show', name]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Status:\s+running$/m);
    expect(table.stdout).toMatch(/^orchestrator\s+rag-orchestrator\s+1\s+running\s+healthy\s+running\s+\$\d+\.\d{2}\s+http:\/\//m);

    const json = await bud(['deployments', 'show', name, '-o', 'json']);
    expect(json.code).toBe(0);
    const deployment = JSON.parse(json.stdout);
    expect(deployment).toMatchObject({ name, status: 'running', template_id: 'simple-rag-v1', cluster_id: h.localClusterId });
    expect(deployment.components.map((c: any) => c.status)).toEqual(['running', 'running', 'running', 'running']);
  });

  it("lists the deployment's jobs on the cluster", async () => {
    const deployment = await deploymentByName(name);
    const result = await bud(['jobs', 'list', '--cluster', 'local', '--status', 'running', '-o', 'json']);
    expect(result.code).toBe(0);
    const mine = JSON.parse(result.stdout).items.filter((j: any) => j.usecase_deployment_id === deployment.id);
    expect(mine.map((j: any) => j.name).sort()).toEqual(['embedding', 'llm', 'orchestrator', 'vector-db']);
  });

  it('update --dry-run prints the plan and changes nothing; update --wait rolls the change out in place', async () => {
    const before = await deploymentWithComponents(name);
    const preview = await bud(['deployments', 'update', name, '--set', 'embedding_model=BAAI/bge-small-en-v1.5', '--dry-run']);
    expect(preview).toMatchObject({ code: 0, stderr: '' });
    expect(preview.stdout).toContain(`Update plan for ${name} (dry run: nothing was changed)`);
    expect(preview.stdout).toMatch(/^embedding\s+rolling\s+\$\d+\.\d{2}\s+\S+\s+\S*bge-base-en-v1\.5\S*\s+\S*bge-small-en-v1\.5/m);
    expect(preview.stdout).toMatch(/^llm\s+unchanged\s+/m);
    expect(preview.stdout).toMatch(/^Cost:\s+\$\d+\.\d{2}\/hour \(±\$0\.00\)$/m);
    expect(preview.stdout).toContain('Data at risk: none');
    expect((await deploymentByName(name)).parameters.embedding_model).toBe('BAAI/bge-base-en-v1.5');

    const result = await bud([
      'deployments',
      'update',
      name,
      '--set',
      'embedding_model=BAAI/bge-small-en-v1.5',
      '--wait',
      '--timeout',
      '60',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+embedding\s+(updating|running)\s+\S+/m);
    expect(result.stdout).toContain(`${name} is running.`);
    const after = await deploymentWithComponents(name);
    const embedding = (d: any) => d.components.find((c: any) => c.id === 'embedding');
    expect(after.parameters.embedding_model).toBe('BAAI/bge-small-en-v1.5');
    expect(embedding(after).job_id).toBe(embedding(before).job_id);
    expect(embedding(after).generation).toBeGreaterThan(embedding(before).generation);
  });

  it('scale refuses a bad count before asking anything, and --wait scales a component in place', async () => {
    const bad = await bud(['deployments', 'scale', name, 'orchestrator', '--replicas', 'two']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^error: --replicas must be a whole number from 0 to 1000, got 'two'$/m);

    const result = await bud(['deployments', 'scale', name, 'orchestrator', '--replicas', '2', '--wait', '--timeout', '60']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('orchestrator (scale)');
    const orchestrator = (await deploymentWithComponents(name)).components.find((c: any) => c.id === 'orchestrator');
    expect(orchestrator).toMatchObject({ status: 'running', replicas: 2 });
  });

  it("refuses a parameter outside its range with the server's message, naming the field", async () => {
    const result = await bud([
      'deploy',
      'simple-chatbot-v1',
      '--cluster',
      'local',
      '--name',
      'too-big',
      '--set',
      `model_id=${MODEL}`,
      '--set',
      'gpu_count=99',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*parameters\.gpu_count must be at most 8/);
    expect(result.stderr).not.toContain('{');
    expect(await deploymentByName('too-big')).toBeUndefined();
  });

  it('refuses an unknown template, naming the field', async () => {
    const result = await bud(['deploy', 'no-such-template', '--cluster', 'local', '--name', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("template 'no-such-template' was not found");
    expect(result.stderr).toContain('template_id');
  });

  it('refuses an unknown flag with usage and exit 2, before calling anything', async () => {
    const result = await bud(['deployments', 'list', '--colour']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain("unknown option '--colour'");
    expect(result.stderr).toContain('Usage: bud deployments list');
  });

  it('names the URL it could not reach and suggests npm start; the environment overrides the config file', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await bud(['templates', 'list'], { BUD_API_URL: closed });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach budusecases at ${closed}`);
    expect(result.stderr).toContain('npm start');
  });

  it('exits 1 with the failing component when a deployment fails under --wait', async () => {
    const flaky = await h.clusterHttp('POST', '/api/v1/clusters', {
      body: {
        name: `flaky-${randomUUID().slice(0, 8)}`,
        type: 'simulated',
        settings: { admit_delay_ms: 0, ready_delay_ms: 0, failing_images: ['vllm'] },
      },
    });
    expect(flaky.status).toBe(201);
    const result = await bud([
      'deploy',
      'simple-rag-v1',
      '--cluster',
      flaky.body.name,
      '--name',
      `${name}-f`,
      '--set',
      `model_id=${MODEL}`,
      '--wait',
      '--timeout',
      '60',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+llm\s+failed\b/m);
    expect(result.stderr).toMatch(new RegExp(`^error: ${name}-f is failed, not running`));
    expect(result.stderr).toMatch(/^\s+llm: /m);
  });

  it('stops the deployment and waits until it is stopped', async () => {
    const result = await bud(['deployments', 'stop', name, '--wait', '--timeout', '60']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+\d\d:\d\d:\d\d\s+orchestrator\s+stopped\b/m);
    expect(result.stdout).toContain(`${name} is stopped.`);
    expect((await deploymentByName(name)).status).toBe('stopped');

    // Stop keeps the data: the llm's model cache stays, detached, for the next start.
    const volumes = await bud(['volumes', 'list', '--cluster', 'local', '--deployment', name]);
    expect(volumes).toMatchObject({ code: 0, stderr: '' });
    expect(volumes.stdout).toMatch(/^\S+\s+\S+\/llm-\S+\s+llm\s+\d+Gi\s+detached\s+\$\d+\.\d{2}\s+\S+$/m);
  });

  it('deletes the deployment and waits until it is gone', async () => {
    const { id } = await deploymentByName(name);
    const preview = await bud(['deployments', 'delete', name, '--dry-run']);
    expect(preview).toMatchObject({ code: 0, stderr: '' });
    expect(preview.stdout).toContain(`Delete plan for ${name} (dry run: nothing was changed)`);
    expect(preview.stdout).toMatch(/^orchestrator\s+remove\s+/m);
    expect((await deploymentByName(name)).status).toBe('stopped');

    const result = await bud(['deployments', 'delete', name, '--wait', '--timeout', '60']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${name} is deleted; its volumes are destroyed.`);
    expect((await h.http('GET', `/api/v1/deployments/${id}`)).status).toBe(404);

    const show = await bud(['deployments', 'show', name]);
    expect(show).toMatchObject({ code: 1, stderr: `error: no deployment named '${name}'\n` });
  });

  it('lets an admin set quotas with bud quotas set; a tenant lists its own and its dry run is judged by it', async () => {
    const asAdmin = { BUD_TOKEN: h.admin.token };
    const refused = await bud(['quotas', 'set', '--cluster', 'local', '--tenant', h.tenantA.tenantId, '--gpu', 'A100-80GB=0:0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/platform:admin/);

    const set = await bud(['quotas', 'set', '--cluster', 'local', '--tenant', h.tenantA.tenantId, '--gpu', 'A100-80GB=0:0'], asAdmin);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(new RegExp(`^${h.tenantA.tenantId}\\s+tenant\\s+A100-80GB 0\\+0\\s+unlimited`, 'm'));
    const fallback = await bud(
      ['quotas', 'set', '--cluster', 'local', '--tenant', 'default', '--gpu', 'H100-80GB=2', '--weight', '2'],
      asAdmin,
    );
    expect(fallback).toMatchObject({ code: 0, stderr: '' });

    const all = await bud(['quotas', 'list', '--cluster', 'local'], asAdmin);
    expect(all.stdout).toMatch(/^default\s+default\s+H100-80GB 2\+any\s+unlimited\s+-\s+-\s+2\s+yes$/m);
    expect(all.stdout).toContain(h.tenantA.tenantId);
    const own = await bud(['quotas', 'list', '--cluster', 'local']);
    expect(own.stdout).toContain(h.tenantA.tenantId);
    expect(own.stdout).not.toMatch(/^default\s/m);

    const plan = await bud([
      'deploy',
      'simple-rag-v1',
      '--cluster',
      'local',
      '--name',
      `${name}-q`,
      '--set',
      `model_id=${MODEL}`,
      '--dry-run',
    ]);
    expect(plan.stdout).toMatch(
      /^Quota:\s+NEVER fits: needs 1 × A100-80GB but your quota allows at most 0 \(nominal 0, borrowing limit 0\)$/m,
    );

    const bad = await bud(['quotas', 'set', '--cluster', 'local', '--tenant', 'default', '--gpu', 'A100-80GB=1:1', '--no-cohort'], asAdmin);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--gpu A100-80GB: borrowing limit needs the cohort/);
  });

  it("sets and lists the tenant's budget, reads usage and this month's invoice (JSON and CSV) from budcluster, and deletes the budget", async () => {
    expect((await bud(['budgets', 'list'])).stdout).toMatch(/^No budget/);
    const set = await bud(['budgets', 'set', '--amount', '1000', '--thresholds', '50,80,100', '--action', 'block_new']);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const listed = await bud(['budgets', 'list']);
    const row = new RegExp(`^([0-9a-f-]{36})\\s+tenant\\s+\\d{4}-\\d{2}\\s+\\$1000\\.00\\s+.*50% 80% 100%\\s+block new work$`, 'm');
    expect(listed.stdout).toMatch(row);
    const budgetId = row.exec(listed.stdout)![1];
    try {
      const refused = await bud(['budgets', 'set', '--amount', '10.001']);
      expect(refused.code).toBe(2);

      // A past day: nothing was metered then, whatever the meter is doing now.
      const usage = await bud(['usage', '--by', 'deployment', '--from', '2026-01-01', '--to', '2026-01-02']);
      expect(usage).toMatchObject({ code: 0, stderr: '' });
      expect(usage.stdout).toMatch(/^Usage 2026-01-01 00:00 to 2026-01-02 00:00 UTC, in USD:\nnothing metered in this range\.$/m);
      const badRange = await bud(['usage', '--from', '2026-01-02', '--to', '2026-01-01']);
      expect(badRange.code).toBe(1);
      expect(badRange.stderr).toMatch(/\bto\b/);

      const month = new Date().toISOString().slice(0, 7);
      const invoice = await bud(['invoice', month, '-o', 'json']);
      expect(invoice).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(invoice.stdout)).toMatchObject({ tenant_id: h.tenantA.tenantId, period: month, currency: 'USD' });
      const csv = await bud(['invoice', month, '--csv']);
      expect(csv.code).toBe(0);
      expect(csv.stdout.split('\r\n')[0]).toMatch(/^deployment_id,job_id,.*,amount$/);
      expect((await bud(['invoice', '2026-13'])).code).toBe(2);

      // Setting the same scope again replaces the budget; the dry-run shows the verdict of a $1 block_new budget.
      expect((await bud(['budgets', 'set', '--amount', '1', '--action', 'block_new'])).code).toBe(0);
      const plan = await bud([
        'deploy',
        'simple-rag-v1',
        '--cluster',
        'local',
        '--name',
        `${name}-b`,
        '--set',
        `model_id=${MODEL}`,
        '--dry-run',
      ]);
      expect(plan).toMatchObject({ code: 0, stderr: '' });
      expect(plan.stdout).toMatch(/^Budget:\s+REFUSED: over budget by \$/m);
      expect(plan.stdout).toMatch(
        /^\s+tenant:\s+\$\d+(\.\d+)? remaining; projected month end \$[\d.]+ before this work, which adds \$[\d.]+; over by \$[\d.]+ \(block new work at 100%\)$/m,
      );
    } finally {
      const deleted = await bud(['budgets', 'delete', budgetId]);
      expect(deleted).toMatchObject({ code: 0, stdout: `Deleted budget ${budgetId}.\n` });
    }
    expect((await bud(['budgets', 'list'])).stdout).toMatch(/^No budget/);
  });
});
