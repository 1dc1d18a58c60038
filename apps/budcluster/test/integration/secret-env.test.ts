import { Client } from 'pg';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const SECRET = 'hf_this-must-never-be-answered';

describe("a job's secret_env is write-only", () => {
  let h: Harness;
  let clusterId: string;
  let db: Client;
  beforeAll(async () => {
    h = await startHarness();
    clusterId = await h.newSimulatedCluster(h.tenantA);
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const withSecret = (spec: Record<string, unknown> = {}) =>
    containerJob({
      spec: {
        kind: 'container',
        image: 'nginx:1.27',
        ports: [{ port: 80 }],
        env: { LOG_LEVEL: 'info' },
        secret_env: { HF_TOKEN: SECRET },
        ...spec,
      },
    });

  it('answers the keys with masked values, and stores the values sealed only', async () => {
    const created = await h.http('POST', jobsPath(), { body: withSecret() });
    expect(created.status).toBe(201);
    expect(created.body.spec).toMatchObject({ env: { LOG_LEVEL: 'info' }, secret_env: { HF_TOKEN: '********' } });
    const read = await h.http('GET', `${jobsPath()}/${created.body.id}`);
    expect(read.body.spec.secret_env).toEqual({ HF_TOKEN: '********' });
    const listed = await h.http('GET', `${jobsPath()}?page_size=100`);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);

    const { rows } = await db.query(`SELECT row_to_json(jobs)::text AS row, secret_env_sealed FROM jobs WHERE id = $1`, [created.body.id]);
    expect(rows[0].row).not.toContain(SECRET);
    expect(rows[0].secret_env_sealed).toEqual(expect.any(String));
    const { rows: events } = await db.query(
      `SELECT (SELECT string_agg(event::text, '') FROM outbox) || (SELECT string_agg(row_to_json(job_events)::text, '') FROM job_events) AS text`,
    );
    expect(events[0].text).not.toContain(SECRET);
  });

  it('refuses a name that is in env and secret_env alike, naming the field', async () => {
    const answer = await h.http('POST', jobsPath(), { body: withSecret({ env: { HF_TOKEN: 'plain' } }) });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      error: 'validation_failed',
      details: [{ path: 'spec.secret_env.HF_TOKEN', message: 'is also set in spec.env' }],
    });
  });
});
