import { expectValidation } from '@bud/testing';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';
import { fastCluster, ragRequest, waitForStatus } from '../support/deployments';
import { makeComponent, makeTemplate } from '../support/template-builders';

describe('budusecases refuses what it would otherwise ignore', () => {
  let h: UsecasesHarness;
  let clusterId: string;
  let deploymentId: string;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    clusterId = await fastCluster(h, h.tenantA);
    deploymentId = (await h.http('POST', '/api/v1/deployments', { body: ragRequest(clusterId) })).body.id;
    await waitForStatus(h, deploymentId, 'running');
  });
  afterAll(() => h.stop());

  describe('unknown query parameters', () => {
    it('answers an update with ?force=true with 422 naming it, and changes nothing', async () => {
      const before = (await h.http('GET', `/api/v1/deployments/${deploymentId}`)).body;
      const answer = await h.http('PATCH', `/api/v1/deployments/${deploymentId}?force=true`, {
        body: { parameters: { vector_db_size: '100Gi' } },
      });
      expectValidation(answer, 'query.force');
      const after = (await h.http('GET', `/api/v1/deployments/${deploymentId}`)).body;
      expect(after.parameters).toEqual(before.parameters);
      expect(after.version).toBe(before.version);
    });

    it('answers a delete with ?purge=true or a keep_data that is not a boolean with 422 naming it, and keeps the deployment', async () => {
      expectValidation(await h.http('DELETE', `/api/v1/deployments/${deploymentId}?purge=true`), 'query.purge');
      expectValidation(await h.http('DELETE', `/api/v1/deployments/${deploymentId}?keep_data=maybe`), 'query.keep_data');
      const after = await h.http('GET', `/api/v1/deployments/${deploymentId}`);
      expect(after.status).toBe(200);
      expect(after.body.status).toBe('running');
    });

    it.each([
      ['POST', '/api/v1/deployments/{deployment}/stop?force=true', 'query.force'],
      ['POST', '/api/v1/deployments/{deployment}/stop?dry_run=yes', 'query.dry_run'],
      ['GET', '/api/v1/deployments/{deployment}?expand=jobs', 'query.expand'],
      ['GET', '/api/v1/deployments?page=1&sort=name', 'query.sort'],
      ['GET', '/api/v1/templates/simple-rag-v1?version=2', 'query.version'],
      ['POST', '/api/v1/templates/simple-rag-v1/fork?dry_run=true', 'query.dry_run'],
      ['GET', '/api/v1/components/search?category=llm&tag=x', 'query.tag'],
      ['GET', '/dapr/subscribe?x=1', 'query.x'],
    ])('answers %s %s with 422', async (method, path, detail) => {
      const body = method === 'POST' && path.includes('fork') ? {} : undefined;
      expectValidation(await h.http(method, path.replace('{deployment}', deploymentId), { body }), detail);
    });

    it('still answers declared query parameters, and documents them', async () => {
      expect((await h.http('POST', '/api/v1/deployments?dry_run=true', { body: ragRequest(clusterId) })).status).toBe(200);
      expect((await h.http('GET', '/api/v1/templates?is_system=true&page_size=5')).status).toBe(200);
      const docs = await h.http('GET', '/api/docs-json');
      const createParams = docs.body.paths['/api/v1/deployments'].post.parameters.map((p: any) => `${p.in}:${p.name}`);
      expect(createParams).toContain('query:dry_run');
    });
  });

  describe('quantities beyond the bounds', () => {
    let refusedTemplates = 0;
    const sizedTemplate = (id: string, edit: (t: any) => void = () => undefined) =>
      makeTemplate(id, (t) => {
        t.parameters.push({ name: 'cpu', type: 'string', default: '1' }, { name: 'replicas', type: 'integer', default: 1 });
        t.components[0].resources = { cpu_request: '{{ parameters.cpu }}' };
        t.components[0].replicas = '{{ parameters.replicas }}';
        edit(t);
      });

    it.each([
      [
        'a literal CPU over 1024 cores',
        (t: any) => (t.components[1].resources = { cpu_request: '5000' }),
        'components[1].resources.cpu_request',
      ],
      [
        'literal memory over 16Ti',
        (t: any) => (t.components[1].resources = { memory_limit: '20Ti' }),
        'components[1].resources.memory_limit',
      ],
      ['a literal GPU count over 64', (t: any) => (t.components[1].gpu_count = 65), 'components[1].gpu_count'],
    ])('refuses a template with %s when it is saved', async (_name, edit, path) => {
      const id = `too-big-${++refusedTemplates}`;
      const answer = await h.http('POST', '/api/v1/templates', { body: sizedTemplate(id, edit) });
      expectValidation(answer, path);
      expect((await h.http('GET', `/api/v1/templates/${id}`)).status).toBe(404);
    });

    it('bounds quantities rendered from parameters, naming the template path, on a dry run and a deploy', async () => {
      expect((await h.http('POST', '/api/v1/templates', { body: sizedTemplate('sized-rag') })).status).toBe(201);
      const deploy = (parameters: Record<string, unknown>, query = '') =>
        h.http('POST', `/api/v1/deployments${query}`, {
          body: {
            template_id: 'sized-rag',
            name: 'sized',
            cluster_id: clusterId,
            parameters: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', ...parameters },
          },
        });
      expectValidation(await deploy({ cpu: '1000000000000000' }, '?dry_run=true'), 'components[0].resources.cpu_request');
      expectValidation(await deploy({ cpu: '1000000000000000' }), 'components[0].resources.cpu_request');
      expectValidation(await deploy({ replicas: 5000 }, '?dry_run=true'), 'components[0].replicas');
      const fine = await deploy({ cpu: '1024' }, '?dry_run=true');
      expect(fine.status).toBe(200);
    });

    it('refuses a registry component whose default resources are out of bounds', async () => {
      const answer = await h.http('POST', '/api/v1/components', {
        caller: h.admin,
        body: makeComponent('huge-cache', (c) => (c.default_resources = { memory_request: '1Ei' })),
      });
      expectValidation(answer, 'default_resources.memory_request');
    });
  });

  describe('bodies that are not JSON', () => {
    it.each([
      ['text/plain', 'PATCH', '/api/v1/deployments/{deployment}'],
      ['application/x-www-form-urlencoded', 'POST', '/api/v1/deployments'],
      ['text/yaml', 'POST', '/api/v1/templates'],
    ])('answers a %s body on %s %s with 415', async (contentType, method, path) => {
      const raw = JSON.stringify({ parameters: { vector_db_size: '10Gi' } });
      const answer = await h.http(method, path.replace('{deployment}', deploymentId), { raw, headers: { 'content-type': contentType } });
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ status_code: 415, error: 'unsupported_media_type' });
    });

    it('answers an update sent no body with 422, and still takes CloudEvents as JSON', async () => {
      expectValidation(await h.http('PATCH', `/api/v1/deployments/${deploymentId}`), '(root)');
      const event = await h.http('POST', '/api/v1/events/job-events', {
        raw: '{}',
        headers: { 'content-type': 'application/cloudevents+json' },
      });
      expect(event.status).not.toBe(415);
    });
  });

  describe('secret parameters outside env', () => {
    const withSecret = (id: string, edit: (t: any) => void) =>
      makeTemplate(id, (t) => {
        t.parameters.push({ name: 'db_password', type: 'secret' });
        edit(t);
      });

    it.each([
      [
        'a helm chart value',
        (t: any) => (t.components[2].config.auth = { password: '{{ parameters.db_password }}' }),
        'components[2].config.auth.password',
      ],
      [
        'a docker command argument',
        (t: any) => (t.components[3].config = { args: ['--password={{ parameters.db_password }}'] }),
        'components[3].config.args[0]',
      ],
    ])('refuses a secret in %s when the template is saved, naming the path', async (_name, edit, path) => {
      const created = await h.http('POST', '/api/v1/templates', { body: withSecret('secret-in-config', edit) });
      expectValidation(created, path);
      expect(created.body.details.find((d: any) => d.path === path).message).toMatch(/secret/);
      expect(
        (
          await h.http('POST', '/api/v1/templates', {
            body: withSecret('secret-in-env', (t) => (t.components[3].env.DB_PASSWORD = '{{ parameters.db_password }}')),
          })
        ).status,
      ).toBe(201);
      expectValidation(
        await h.http('PUT', '/api/v1/templates/secret-in-env', { body: { ...withSecret('secret-in-env', edit), revision: 1 } }),
        path,
      );
      await h.http('DELETE', '/api/v1/templates/secret-in-env');
    });
  });

  // Last: it stops budcluster for good.
  describe('a dependency that is down', () => {
    it('answers 503 upstream_unavailable naming budcluster while budcluster is down', async () => {
      await h.cluster.stop();
      const answer = await h.http('POST', '/api/v1/deployments?dry_run=true', { body: ragRequest(clusterId) });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status_code: 503,
        error: 'upstream_unavailable',
        message: expect.stringContaining('budcluster'),
      });
    });
  });
});
