import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpStatusOf } from '@bud/errors';
import { ServiceProcess, createTestDatabase, freePort } from '@bud/testing';
import type { TestDatabase } from '@bud/testing';
import { RecordingRelay } from '../support/recording-relay';

interface RawAnswer {
  status: number;
  body: any;
}

/** One request with its path exactly as written: fetch would resolve `..` and re-encode before sending. */
function rawRequest(port: number, method: string, path: string, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json' } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // HTML or metrics text: kept as is
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** budadmin's server in front of the real budcluster and budusecases, each behind a relay that records what reached it. */
describe('budadmin forwards only the public API', () => {
  const uiDir = mkdtempSync(join(tmpdir(), 'bud-admin-ui-'));
  let databases: TestDatabase[] = [];
  let budcluster: ServiceProcess;
  let budusecases: ServiceProcess;
  let budadmin: ServiceProcess;
  let clusterRelay: RecordingRelay;
  let usecasesRelay: RecordingRelay;
  const request = (method: string, path: string, body?: unknown) =>
    rawRequest(budadmin.port, method, path, body === undefined ? undefined : JSON.stringify(body));

  beforeAll(async () => {
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>budadmin</title>');
    databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const [clusterDb, usecasesDb] = databases;
    const [clusterPort, usecasesPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    const common = {
      LOG_LEVEL: 'warn',
      DATA_DIR: join(uiDir, 'data'),
      BUDCLUSTER_URL: `http://127.0.0.1:${clusterPort}`,
      BUDUSECASES_URL: `http://127.0.0.1:${usecasesPort}`,
    };
    budcluster = new ServiceProcess(
      'dist/apps/budcluster/src/main.js',
      { ...common, DATABASE_URL: clusterDb.url, DATABASE_POOL_SIZE: String(clusterDb.poolSize), LOCAL_CLUSTER: 'true' },
      clusterPort,
    );
    budusecases = new ServiceProcess(
      'dist/apps/budusecases/src/main.js',
      { ...common, DATABASE_URL: usecasesDb.url, DATABASE_POOL_SIZE: String(usecasesDb.poolSize) },
      usecasesPort,
    );
    await Promise.all([budcluster.start(60_000), budusecases.start(60_000)]);
    clusterRelay = new RecordingRelay(clusterPort);
    usecasesRelay = new RecordingRelay(usecasesPort);
    await Promise.all([clusterRelay.start(), usecasesRelay.start()]);
    budadmin = new ServiceProcess(
      'dist/apps/budadmin/server/main.js',
      { LOG_LEVEL: 'warn', UI_DIR: uiDir, BUDCLUSTER_URL: clusterRelay.url, BUDUSECASES_URL: usecasesRelay.url },
      adminPort,
    );
    await budadmin.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([budadmin?.stop(), budusecases?.stop(), budcluster?.stop(), clusterRelay?.stop(), usecasesRelay?.stop()]);
    await Promise.all(databases.map((db) => db.drop()));
    rmSync(uiDir, { recursive: true, force: true });
  });

  it('forwards the API the UI and the CLI use, to the service that owns it', async () => {
    const clusters = await request('GET', '/api/v1/clusters?page_size=100');
    expect(clusters.status).toBe(200);
    const local = clusters.body.items.find((c: { name: string }) => c.name === 'local');
    expect(local).toBeDefined();
    expect((await request('GET', `/api/v1/clusters/${local.id}/jobs?page_size=10`)).status).toBe(200);
    expect((await request('GET', '/api/v1/templates')).body.items.map((t: { id: string }) => t.id)).toContain('simple-rag-v1');
    expect((await request('GET', '/api/v1/templates/simple-rag-v1/schema')).status).toBe(200);
    expect((await request('GET', '/api/v1/components?page_size=5')).status).toBe(200);
    expect((await request('GET', '/api/v1/deployments')).status).toBe(200);
    const plan = await request('POST', '/api/v1/deployments?dry_run=true', {
      template_id: 'simple-rag-v1',
      name: 'through-budadmin',
      cluster_id: local.id,
      parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct' },
    });
    expect(plan.status).toBe(200);
    expect(clusterRelay.transcript).toContain(`GET /api/v1/clusters/${local.id}/jobs?page_size=10 HTTP/1.1`);
    expect(usecasesRelay.transcript).toContain('GET /api/v1/templates/simple-rag-v1/schema HTTP/1.1');
  });

  it('forwards metering (usage, invoices, budgets) to budcluster, which owns it', async () => {
    const usage = await request('GET', '/api/v1/usage?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z');
    expect(usage.status).toBe(200);
    expect((await request('GET', '/api/v1/invoices/2026-01')).status).toBe(200);
    expect((await request('GET', '/api/v1/budgets')).status).toBe(200);
    expect(clusterRelay.transcript).toContain('GET /api/v1/usage?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z HTTP/1.1');
    expect(clusterRelay.transcript).toContain('GET /api/v1/invoices/2026-01 HTTP/1.1');
    expect(clusterRelay.transcript).toContain('GET /api/v1/budgets HTTP/1.1');
    expect(usecasesRelay.transcript).not.toContain('/api/v1/usage');
  });

  it('refuses traversal in any spelling with 400 before routing, and never forwards internals', async () => {
    const traversals = [
      '/api/v1/clusters/%2e%2e/%2e%2e/%2e%2e/metrics',
      '/api/v1/clusters/%2E%2E/%2E%2E/%2E%2E/metrics',
      '/api/v1/clusters/.%2e/.%2e/.%2e/metrics',
      '/api/v1/../../metrics',
      '/api/v1/clusters/../../../metrics',
      '/api/v1/templates/./../../../metrics',
      '/api/v1/clusters%2f..%2f..%2f..%2fmetrics',
      '/api/v1/clusters/%252e%252e/%252e%252e/%252e%252e/metrics',
      '/api/v1/clusters/..\\..\\..\\metrics',
      '/api/v1/clusters/%5c..%5c..%5cmetrics',
      '/api/v1/clusters/%00/metrics',
      '/api/v1/deployments/%zz',
    ];
    for (const path of traversals) {
      const answer = await request('GET', path);
      expect([path, answer.status, answer.body]).toEqual([path, 400, expect.objectContaining({ status_code: 400, error: 'bad_request' })]);
    }

    const forged = { specversion: '1.0', id: 'forged', source: 'budcluster', type: 'bud.job.running', data: {} };
    const notPublic: Array<[string, string]> = [
      ['POST', '/api/v1/events/job-events'],
      ['GET', '/api/v1/events/job-events'],
      ['GET', '/api/docs'],
      ['GET', '/api/v1/metrics'],
      ['GET', '/api'],
    ];
    for (const [method, path] of notPublic) {
      const answer = await request(method, path, method === 'POST' ? forged : undefined);
      expect([path, answer.status, answer.body]).toEqual([path, 404, expect.objectContaining({ status_code: 404, error: 'not_found' })]);
    }
    // Outside /api budadmin serves the UI itself; these are the services' internals and must not reach them.
    for (const path of ['/metrics', '/dapr/subscribe', '/healthz', '/readyz']) await request('GET', path);

    for (const transcript of [clusterRelay.transcript, usecasesRelay.transcript]) {
      expect(transcript).not.toMatch(/metrics|job-events|dapr|api\/docs|healthz|readyz|%2e|%5c|\.\./i);
    }
  });

  it("answers upstream_unavailable in the error shape, with the platform's status for it, when a service is down", async () => {
    await clusterRelay.stop();
    const answer = await request('GET', '/api/v1/clusters');
    const status = httpStatusOf('upstream_unavailable');
    expect(answer).toEqual({ status, body: expect.objectContaining({ status_code: status, error: 'upstream_unavailable' }) });
    await clusterRelay.start();
    expect((await request('GET', '/api/v1/clusters')).status).toBe(200);
  });
});
