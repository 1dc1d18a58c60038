import { Client } from 'pg';
import { SecretBox } from '@bud/auth';
import { pollUntil } from '@bud/testing';
import { DriverRegistry } from '../../src/drivers/driver-registry.service';
import { SimulatedDriver } from '../../src/drivers/simulated/simulated-driver';
import { containerJob, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

type Job = {
  id: string;
  status: string;
  health: string;
  spec: { files?: Array<{ path: string; content: string; mode: string; secret?: boolean }> } & Record<string, unknown>;
  rollout: { generation: number; observed_generation: number };
};

const SECRET = 'sk-file-secret-never-answered';
const file = (path: string, extra: Record<string, unknown> = {}) => ({ path, content: 'x', ...extra });

/** docs/design.md#files at the Job layer: every refusal is a 422 naming the file; secret files stay sealed; updates re-apply. */
describe('job files', () => {
  let h: Harness;
  let clusterId: string;
  let driver: SimulatedDriver;
  let db: Client;
  beforeAll(async () => {
    h = await startHarness({ ROLLOUT_CHECK_MS: '50' });
    clusterId = await h.newSimulatedCluster(h.tenantA);
    const started = await h.service.app.get(DriverRegistry).driverOf(clusterId);
    if (!(started instanceof SimulatedDriver)) throw new Error('no simulated driver');
    driver = started;
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
  });

  const jobsPath = () => `/api/v1/clusters/${clusterId}/jobs`;
  const read = async (id: string) => (await h.http<Job>('GET', `${jobsPath()}/${id}`)).body;
  const withFiles = (files: unknown[], spec: Record<string, unknown> = {}) =>
    containerJob({ spec: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], files, ...spec } });

  it.each<[string, unknown[], Record<string, unknown>, string, RegExp]>([
    ['a relative path', [file('app/a.py')], {}, 'spec.files[0].path', /absolute/],
    ['a .. segment', [file('/ok'), file('/app/../etc/passwd')], {}, 'spec.files[1].path', /normalised/],
    ['a mount over /', [file('/')], {}, 'spec.files[0].path', /over \//],
    ['a file under /etc', [file('/etc/hosts')], {}, 'spec.files[0].path', /\/etc/],
    ['a file under /proc', [file('/proc/1/environ')], {}, 'spec.files[0].path', /\/proc/],
    ['a file under /var/run', [file('/var/run/secrets/kubernetes.io/token')], {}, 'spec.files[0].path', /\/var\/run/],
    ['a duplicate path', [file('/a'), file('/a')], {}, 'spec.files[1].path', /repeats/],
    ['a name that is no ConfigMap key', [file('/app/a b.py')], {}, 'spec.files[0].path', /ConfigMap key/],
    ['a writable mode', [file('/a', { mode: '0666' })], {}, 'spec.files[0].mode', /without write bits/],
    ['content over 64 KiB', [file('/a', { content: 'x'.repeat(65_537) })], {}, 'spec.files[0].content', /.+/],
    ['21 files', Array.from({ length: 21 }, (_, i) => file(`/f${i}`)), {}, 'spec.files', /.+/],
    [
      'files over 256 KiB together',
      Array.from({ length: 5 }, (_, i) => file(`/f${i}`, { content: 'x'.repeat(60_000) })),
      {},
      'spec.files[4].content',
      /262144 bytes/,
    ],
    [
      'a secret file whose content is the mask',
      [file('/app/token', { content: '********', mode: '0400', secret: true })],
      {},
      'spec.files[0].content',
      /the mask answered in place of a secret value/,
    ],
    [
      'a secret_env value that is the mask',
      [file('/a')],
      { secret_env: { TOKEN: '********' } },
      'spec.secret_env.TOKEN',
      /the mask answered in place of a secret value/,
    ],
    ['a control character in a directory', [file('/app/a\u0007b/x.py')], {}, 'spec.files[0].path', /must be printable/],
    [
      'a file over a volume',
      [file('/var/lib/db')],
      { volumes: [{ name: 'db', mount_path: '/var/lib/db', size: '1Gi' }] },
      'spec.files[0].path',
      /would hide the volume mounted at \/var\/lib\/db/,
    ],
  ])('refuses %s with 422 naming the path', async (_name, files, spec, path, message) => {
    const answer = await h.http('POST', jobsPath(), { body: withFiles(files, spec) });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.details).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });

  it('mounts plain files from a ConfigMap and secret ones from a Secret; the secret content is never answered or stored in the clear', async () => {
    const files = [
      { path: '/pipelines/rag/pipeline_wrapper.py', content: 'TOP_K = 3\n', mode: '0444' },
      { path: '/app/credentials', content: SECRET, mode: '0400', secret: true },
    ];
    const created = await h.http<Job>('POST', jobsPath(), { body: withFiles(files) });
    expect(created.status).toBe(201);
    expect(created.body.spec.files).toEqual([files[0], { ...files[1], content: '********' }]);
    const running = await pollUntil(
      () => read(created.body.id),
      (j) => j.status === 'running',
      { what: 'job running' },
    );
    expect(JSON.stringify(running)).not.toContain(SECRET);
    const { rows } = await db.query(`SELECT row_to_json(jobs)::text AS row FROM jobs WHERE id = $1`, [created.body.id]);
    expect(rows[0].row).not.toContain(SECRET);
    const { rows: events } = await db.query(`SELECT coalesce(string_agg(event::text, ''), '') AS text FROM outbox`);
    expect(events[0].text).not.toContain(SECRET);

    const name = driver.mountedFiles(created.body.id)[0]?.object;
    expect(name).toMatch(/-files$/);
    expect(driver.mountedFiles(created.body.id)).toEqual([
      {
        path: '/pipelines/rag/pipeline_wrapper.py',
        mode: '0444',
        from: 'ConfigMap',
        object: name,
        key: '0-pipeline_wrapper.py',
        content: 'TOP_K = 3\n',
      },
      { path: '/app/credentials', mode: '0400', from: 'Secret', object: name, key: '1-credentials' },
    ]);
  });

  it('changes a file in place: the masked secret file keeps its value, the new content is applied at the next generation', async () => {
    const created = await h.http<Job>('POST', jobsPath(), {
      body: withFiles([
        { path: '/app/settings.yaml', content: 'top_k: 3\n' },
        { path: '/app/credentials', content: SECRET, secret: true },
      ]),
    });
    expect(created.status).toBe(201);
    const job = await pollUntil(
      () => read(created.body.id),
      (j) => j.status === 'running' && j.rollout.observed_generation === 1,
      { what: 'job running at generation 1' },
    );
    const files = (job.spec.files ?? []).map((f) => (f.path === '/app/settings.yaml' ? { ...f, content: 'top_k: 5\n' } : f));
    expect(files[1]?.content).toBe('********');
    const patched = await h.http<Job>('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...job.spec, files } } });
    expect(patched.status).toBe(200);
    expect(patched.body.rollout.generation).toBe(2);
    await pollUntil(
      () => driver.mountedFiles(job.id),
      (mounted) => mounted[0]?.content === 'top_k: 5\n',
      { what: 'the new content mounted' },
    );
    const { rows } = await db.query(`SELECT secret_env_sealed FROM jobs WHERE id = $1`, [job.id]);
    // The harness's SECRETS_KEY: the sealed values hold the secret file's content by its path, kept through the update.
    expect(JSON.parse(new SecretBox('k'.repeat(64)).open(rows[0].secret_env_sealed as string))).toEqual({ '/app/credentials': SECRET });

    // A masked secret file the job never had is refused, naming it.
    const unknown = [...files, { path: '/app/other', content: '********', mode: '0400', secret: true }];
    const refused = await h.http('PATCH', `${jobsPath()}/${job.id}`, { body: { spec: { ...job.spec, files: unknown } } });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toEqual([{ path: 'spec.files[2].content', message: 'is masked but the job has no stored value for it' }]);
  });
});
