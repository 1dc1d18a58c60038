import { dryRunResponseSchema, jobResponseSchema, pageOf } from '@bud/contracts';
import { pollUntil } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { HttpAnswer, UsecasesHarness } from '../support/harness';
import { fastCluster, waitForStatus } from '../support/deployments';
import { makeComponent } from '../support/template-builders';

const TOKEN = 'tok-file-secret-never-answered';

/** docs/templates.md#files over HTTP: components and templates carry files; a deployment mounts them through budcluster. */
describe('component and template files', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    clusterId = await fastCluster(h, h.tenantA);
    const component = makeComponent('files-app', (c) => {
      c.category = 'orchestrator';
      c.files = [{ path: '/app/settings.yaml', content: 'name: {{ deployment.name }}\n' }];
    });
    const registered = await h.http('POST', '/api/v1/components', { body: component, caller: h.admin });
    expect(registered.status).toBe(201);
    expect(registered.body.files).toEqual([{ path: '/app/settings.yaml', content: 'name: {{ deployment.name }}\n', mode: '0444' }]);
  });
  afterAll(() => h.stop());

  const expect422 = (answer: HttpAnswer, path: string, message: RegExp) => {
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'validation_failed' });
    expect(answer.body.details).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  };
  const file = (path: string, extra: Record<string, unknown> = {}) => ({ path, content: 'x', ...extra });

  it.each<[string, (c: any) => void, string, RegExp]>([
    ['a path with ..', (c) => (c.files = [file('/a'), file('/b'), file('/app/../etc/passwd')]), 'files[2].path', /normalised/],
    ['a path under /etc', (c) => (c.files = [file('/etc/nginx/nginx.conf')]), 'files[0].path', /\/etc/],
    ['a path under /var/run', (c) => (c.files = [file('/var/run/docker.sock')]), 'files[0].path', /\/var\/run/],
    ['a duplicate path', (c) => (c.files = [file('/a'), file('/a')]), 'files[1].path', /repeats/],
    ['a writable mode', (c) => (c.files = [file('/a', { mode: '0777' })]), 'files[0].mode', /without write bits/],
    ['21 files', (c) => (c.files = Array.from({ length: 21 }, (_, i) => file(`/f${i}`))), 'files', /.+/],
    [
      'files on a helm component',
      (c) =>
        Object.assign(c, {
          deployment_type: 'helm',
          helm_repo: 'https://charts.example.com',
          helm_chart: 'x',
          image: undefined,
          image_tag: undefined,
          files: [file('/a')],
        }),
      'files',
      /does not apply to a helm component/,
    ],
  ])('refuses a component with %s, naming the path', async (_name, edit, path, message) => {
    expect422(await h.http('POST', '/api/v1/components', { body: makeComponent('bad-files', edit), caller: h.admin }), path, message);
  });

  const template = (files: unknown[]) => ({
    id: 'files-demo',
    name: 'Files demo',
    category: 'agent',
    version: '1.0.0',
    parameters: [
      { name: 'token', type: 'secret', required: true },
      { name: 'greeting', type: 'string', default: 'hello' },
    ],
    components: [
      { id: 'cache', component_ref: 'redis' },
      { id: 'app', component_ref: 'files-app', files },
    ],
  });

  it('refuses a template file over /proc or with an unknown parameter, naming the path', async () => {
    expect422(
      await h.http('POST', '/api/v1/templates', { body: template([file('/ok'), file('/proc/self/status')]) }),
      'components[1].files[1].path',
      /\/proc/,
    );
    expect422(
      await h.http('POST', '/api/v1/templates', { body: template([file('/app/x', { content: '{{ parameters.nope }}' })]) }),
      'components[1].files[0].content',
      /not a parameter/,
    );
  });

  it('refuses a dry run whose list parameter would render a file or env value past its bound, naming the field', async () => {
    // 19 files (and the component's one) each repeating a 200-item list 256 times would render ~2 GB unbounded.
    const files = Array.from({ length: 19 }, (_, i) => ({ path: `/app/f${i}`, content: '{{ parameters.l }}'.repeat(256) }));
    const listTemplate = {
      id: 'files-list-amplified',
      name: 'List amplified',
      category: 'agent',
      version: '1.0.0',
      parameters: [{ name: 'l', type: 'list' }],
      components: [{ id: 'app', component_ref: 'files-app', files, env: { BIG: '{{ parameters.l }}'.repeat(256) } }],
    };
    expect((await h.http('POST', '/api/v1/templates', { body: listTemplate })).status).toBe(201);
    const items = Array.from({ length: 200 }, (_, i) => `${i}${'"'.repeat(990)}`);
    const body = { template_id: 'files-list-amplified', name: 'amplified', cluster_id: clusterId, parameters: { l: items } };
    const answer = await h.http('POST', '/api/v1/deployments?dry_run=true', { body });
    expect422(answer, 'components[0].files[0].content', /renders to more than 65536 characters/);
    expect422(answer, 'components[0].files[18].content', /renders to more than 65536 characters/);
    expect422(answer, 'components[0].env.BIG', /renders to more than 65536 characters/);
  });

  it('fails the component, naming the file, when a secret makes its completed file pass 64 KiB at deploy time', async () => {
    const big = {
      id: 'files-secret-too-big',
      name: 'Secret too big',
      category: 'agent',
      version: '1.0.0',
      parameters: [{ name: 'token', type: 'secret', required: true }],
      components: [
        { id: 'app', component_ref: 'files-app', files: [{ path: '/app/token', content: '{{ parameters.token }}\n', mode: '0400' }] },
      ],
    };
    expect((await h.http('POST', '/api/v1/templates', { body: big })).status).toBe(201);
    const request = {
      template_id: 'files-secret-too-big',
      name: 'secret-too-big',
      cluster_id: clusterId,
      parameters: { token: 't'.repeat(65_536) },
    };
    // The plan holds the expression (its size is not known yet) ...
    expect((await h.http('POST', '/api/v1/deployments?dry_run=true', { body: request })).status).toBe(200);
    const created = await h.http('POST', '/api/v1/deployments', { body: request });
    expect(created.status).toBe(201);
    // ... and the completed job is refused once, failing the component with the reason instead of retrying.
    const failed = await waitForStatus(h, created.body.id, 'failed');
    const app = failed.components.find((c: any) => c.id === 'app');
    expect(app.status).toBe('failed');
    expect(app.message).toMatch(/cannot render the job: spec\.files\[1\]\.content renders to more than 65536 characters/);
  });

  it('renders the files into the job: outputs filled at deploy, a secret file mounted from a Secret and answered masked', async () => {
    const files = [
      { path: '/app/upstream.txt', content: '{{ components.cache.outputs.url }}' },
      { path: '/app/token', content: '{{ parameters.token }}', mode: '0400' },
      { path: '/app/greeting.txt', content: '{{ parameters.greeting }}' },
    ];
    expect((await h.http('POST', '/api/v1/templates', { body: template(files) })).status).toBe(201);
    const request = { template_id: 'files-demo', name: 'files-demo', cluster_id: clusterId, parameters: { token: TOKEN } };

    const plan = await h.http('POST', '/api/v1/deployments?dry_run=true', { schema: dryRunResponseSchema, body: request });
    expect(plan.status).toBe(200);
    const app = plan.body.waves.flatMap((w) => w.components).find((c) => c.id === 'app');
    expect(app?.job.spec).toMatchObject({
      files: [
        { path: '/app/settings.yaml', content: 'name: files-demo\n', mode: '0444' },
        { path: '/app/upstream.txt', content: '{{ components.cache.outputs.url }}', mode: '0444' },
        { path: '/app/token', content: '{{ parameters.token }}', mode: '0400', secret: true },
        { path: '/app/greeting.txt', content: 'hello', mode: '0444' },
      ],
    });
    expect(JSON.stringify(plan.body)).not.toContain(TOKEN);

    const created = await h.http('POST', '/api/v1/deployments', { body: request });
    expect(created.status).toBe(201);
    const running = await waitForStatus(h, created.body.id, 'running');
    const cacheUrl = running.components.find((c: any) => c.id === 'cache').outputs.url as string;
    expect(cacheUrl).toMatch(/^redis:\/\//);
    const jobs = (
      await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs?usecase_deployment_id=${created.body.id}&page_size=100`, {
        schema: pageOf(jobResponseSchema),
      })
    ).body.items;
    const job = jobs.find((j) => j.name === 'app');
    expect(job?.spec).toMatchObject({
      files: [
        { path: '/app/settings.yaml', content: 'name: files-demo\n', mode: '0444' },
        { path: '/app/upstream.txt', content: cacheUrl, mode: '0444' },
        { path: '/app/token', content: '********', mode: '0400', secret: true },
        { path: '/app/greeting.txt', content: 'hello', mode: '0444' },
      ],
    });
    expect(JSON.stringify(jobs)).not.toContain(TOKEN);

    // An update previews the file paths that change, a secret file's content masked on both sides ...
    const preview = await h.http('PATCH', `/api/v1/deployments/${created.body.id}?dry_run=true`, {
      body: { parameters: { greeting: 'bonjour', token: 'tok-rotated-never-answered' } },
    });
    expect(preview.status).toBe(200);
    const previewed = preview.body.components.find((c: any) => c.id === 'app');
    expect(previewed.fields).toEqual([
      { path: 'spec.files.2.content', from: '********', to: '********' },
      { path: 'spec.files.3.content', from: 'hello', to: 'bonjour' },
    ]);
    expect(JSON.stringify(preview.body)).not.toContain('tok-rotated');
    // ... and rolls the component out in place with the new content.
    const patched = await h.http('PATCH', `/api/v1/deployments/${created.body.id}`, { body: { parameters: { greeting: 'bonjour' } } });
    expect(patched.status).toBe(200);
    await pollUntil(
      async () => (await h.http('GET', `/api/v1/deployments/${created.body.id}`)).body,
      (d: any) => d.status === 'running' && d.components.find((c: any) => c.id === 'app').generation === 2,
      { what: 'app rolled out in place', timeoutMs: 30_000 },
    );
    const rolled = await h.clusterHttp('GET', `/api/v1/clusters/${clusterId}/jobs/${job?.id ?? ''}`, { schema: jobResponseSchema });
    expect(rolled.body.spec).toMatchObject({
      files: expect.arrayContaining([{ path: '/app/greeting.txt', content: 'bonjour', mode: '0444' }]),
    });
  });
});
