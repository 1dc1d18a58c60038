import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startUsecasesHarness } from '../support/harness';
import type { Caller, HttpAnswer, UsecasesHarness } from '../support/harness';
import { makeComponent, makeTemplate } from '../support/template-builders';

const SYSTEM_IDS = [
  'chatbot-memory-v1',
  'crewai-crew-v1',
  'enterprise-rag-v1',
  'langgraph-agent-v1',
  'simple-agent-v1',
  'simple-chatbot-v1',
  'simple-rag-v1',
];

describe('budusecases component registry and templates over HTTP', () => {
  let h: UsecasesHarness;
  let db: Client;
  let templatesDir: string;
  beforeAll(async () => {
    // Sync tests edit the templates; a copy keeps the repository's files untouched.
    templatesDir = mkdtempSync(join(tmpdir(), 'bud-templates-'));
    cpSync(join(__dirname, '../../../..', 'templates'), templatesDir, { recursive: true });
    h = await startUsecasesHarness({ usecases: { TEMPLATES_DIR: templatesDir } });
    db = new Client({ connectionString: h.usecasesDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.stop();
    rmSync(templatesDir, { recursive: true, force: true });
  });

  const rowCounts = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM templates)::int AS templates, (SELECT count(*) FROM template_versions)::int AS versions, (SELECT count(*) FROM components)::int AS components`,
      )
    ).rows[0];
  const expectError = (answer: HttpAnswer, status: number, code: string, path?: string) => {
    expect({ status: answer.status, body: answer.body }).toMatchObject({
      status,
      body: { status_code: status, error: code, message: expect.any(String) },
    });
    if (path) expect(answer.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };
  const ids = (answer: HttpAnswer) => answer.body.items.map((i: { id: string }) => i.id);

  describe('component registry', () => {
    it('lists the fourteen seeded components by id, with filters and pagination', async () => {
      const all = await h.http('GET', '/api/v1/components?page_size=100');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 14, page: 1, page_size: 100 });
      expect(ids(all)).toEqual([...ids(all)].sort());
      expect(ids(await h.http('GET', '/api/v1/components?category=vector_db'))).toEqual(['chroma', 'milvus', 'qdrant', 'weaviate']);
      const helm = await h.http('GET', '/api/v1/components?deployment_type=helm');
      expect(helm.body.items.every((c: any) => c.deployment_type === 'helm')).toBe(true);
      expect(ids(await h.http('GET', '/api/v1/components?tag=vllm'))).toEqual(['vllm-endpoint']);
      expect(ids(await h.http('GET', '/api/v1/components?q=QDRANT'))).toEqual(['qdrant']);
      expect(ids(await h.http('GET', '/api/v1/components?q=%25'))).toEqual([]);
      const third = await h.http('GET', '/api/v1/components?page=3&page_size=5');
      expect(third.body).toMatchObject({ total: 14, page: 3, page_size: 5 });
      expect(ids(third)).toEqual(ids(all).slice(10, 15));
    });

    it.each([['page=0'], ['page_size=101'], ['page=x'], ['colour=red'], ['category=database'], ['deployment_type=vm']])(
      'refuses ?%s with 422',
      async (query) => {
        expectError(await h.http('GET', `/api/v1/components?${query}`), 422, 'validation_failed');
      },
    );

    it('gets one component, 404s an unknown one, and searches by category and tags', async () => {
      expect((await h.http('GET', '/api/v1/components/qdrant')).body).toMatchObject({
        id: 'qdrant',
        category: 'vector_db',
        is_active: true,
        created_at: expect.any(String),
      });
      expectError(await h.http('GET', '/api/v1/components/no-such-component'), 404, 'not_found');
      const search = await h.http('GET', '/api/v1/components/search?category=vector_db&tags=helm,qdrant');
      expect(search.status).toBe(200);
      expect(ids(search)).toEqual(['qdrant']);
      expect(ids(await h.http('GET', '/api/v1/components/search?category=vector_db'))).toHaveLength(4);
      expectError(await h.http('GET', '/api/v1/components/search?tags=Bad_Tag'), 422, 'validation_failed', 'query.tags[0]');
    });

    it('lets only platform:admin register, change and soft-delete components', async () => {
      const body = makeComponent('test-cache');
      expectError(await h.http('POST', '/api/v1/components', { body }), 403, 'forbidden');
      expect((await h.http('POST', '/api/v1/components', { body, caller: h.admin })).status).toBe(201);
      expectError(await h.http('POST', '/api/v1/components', { body, caller: h.admin }), 409, 'conflict');
      expectError(
        await h.http('PUT', '/api/v1/components/test-cache', { body: makeComponent('other-id'), caller: h.admin }),
        422,
        'validation_failed',
        'id',
      );
      const changed = await h.http('PUT', '/api/v1/components/test-cache', {
        body: makeComponent('test-cache', (c) => (c.version = '1.1.0')),
        caller: h.admin,
      });
      expect(changed.body).toMatchObject({ version: '1.1.0' });
      expectError(await h.http('DELETE', '/api/v1/components/test-cache'), 403, 'forbidden');
      expect((await h.http('DELETE', '/api/v1/components/test-cache', { caller: h.admin })).status).toBe(204);
      expect((await h.http('GET', '/api/v1/components/test-cache')).body).toMatchObject({ is_active: false });
      expect(ids(await h.http('GET', '/api/v1/components?tag=test-only'))).toEqual([]);
    });

    it('refuses unsafe components and deleting one that active templates use', async () => {
      const metadataImage = makeComponent('bad-image', (c) => (c.image = '169.254.169.254/x'));
      expectError(await h.http('POST', '/api/v1/components', { body: metadataImage, caller: h.admin }), 422, 'validation_failed', 'image');
      const privileged = makeComponent('bad-chart', (c) => {
        Object.assign(c, {
          deployment_type: 'helm',
          helm_repo: 'https://charts.example.com',
          helm_chart: 'x',
          image: undefined,
          image_tag: undefined,
        });
        c.default_values = { securityContext: { Privileged: true } };
      });
      expectError(
        await h.http('POST', '/api/v1/components', { body: privileged, caller: h.admin }),
        422,
        'validation_failed',
        'default_values.securityContext.Privileged',
      );
      expectError(await h.http('DELETE', '/api/v1/components/qdrant', { caller: h.admin }), 409, 'conflict');
      expect((await h.http('GET', '/api/v1/components/qdrant')).body.is_active).toBe(true);
    });
  });

  describe('system templates', () => {
    it('lists the seven system templates with filters and pagination', async () => {
      const all = await h.http('GET', '/api/v1/templates?is_system=true&page_size=100');
      expect(all.body).toMatchObject({ total: SYSTEM_IDS.length, page: 1 });
      expect(ids(all)).toEqual(SYSTEM_IDS);
      expect(all.body.items[0]).toMatchObject({
        is_system: true,
        tenant_id: null,
        source_file: 'system/chatbot/chatbot-memory-v1.yaml',
        revision: 1,
      });
      expect(ids(await h.http('GET', '/api/v1/templates?category=rag&is_system=true'))).toEqual(['enterprise-rag-v1', 'simple-rag-v1']);
      expect(ids(await h.http('GET', '/api/v1/templates?tag=reranking'))).toEqual(['enterprise-rag-v1']);
      expect(ids(await h.http('GET', '/api/v1/templates?q=enterprise'))).toEqual(['enterprise-rag-v1']);
      expect(ids(await h.http('GET', '/api/v1/templates?is_system=true&page=2&page_size=2'))).toEqual(SYSTEM_IDS.slice(2, 4));
      for (const query of ['page=0', 'page_size=0', 'is_system=maybe', 'category=crm', 'sort=name']) {
        expectError(await h.http('GET', `/api/v1/templates?${query}`), 422, 'validation_failed');
      }
    });

    it('gets a template, 404s an unknown one, and describes its parameters as JSON Schema', async () => {
      expect((await h.http('GET', '/api/v1/templates/simple-rag-v1')).body).toMatchObject({
        id: 'simple-rag-v1',
        components: expect.any(Array),
      });
      expectError(await h.http('GET', '/api/v1/templates/no-such-template'), 404, 'not_found');
      const schema = (await h.http('GET', '/api/v1/templates/enterprise-rag-v1/schema')).body;
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        additionalProperties: false,
        required: ['model_id'],
      });
      expect(schema.properties.model_id).toMatchObject({ type: 'string', title: 'LLM Model', 'x-bud-type': 'model_ref' });
      expect(schema.properties.llm_gpu_count).toEqual(expect.objectContaining({ type: 'integer', minimum: 1, maximum: 8, default: 2 }));
      expect(schema.properties.vector_db_size).toMatchObject({ type: 'string', enum: ['50Gi', '100Gi', '500Gi'], default: '100Gi' });
      expect(schema.properties.enable_reranker).toMatchObject({ type: 'boolean', default: true });
      expect(schema.properties.hf_token).toMatchObject({ type: 'string', writeOnly: true, format: 'password' });
      expectError(await h.http('GET', '/api/v1/templates/no-such-template/schema'), 404, 'not_found');
    });

    it('keeps system templates read-only, for every caller', async () => {
      expectError(await h.http('PUT', '/api/v1/templates/simple-rag-v1', { body: makeTemplate('simple-rag-v1') }), 409, 'read_only');
      expectError(await h.http('DELETE', '/api/v1/templates/simple-rag-v1', { caller: h.admin }), 409, 'read_only');
      expect((await h.http('GET', '/api/v1/templates/simple-rag-v1')).body).toMatchObject({ revision: 1, is_active: true });
    });
  });

  describe('user templates', () => {
    it('creates, updates with revision checks, versions, forks and deletes a template', async () => {
      const created = await h.http('POST', '/api/v1/templates', { body: makeTemplate('my-rag') });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'my-rag',
        is_system: false,
        tenant_id: h.tenantA.tenantId,
        created_by: h.tenantA.userId,
        forked_from: null,
        revision: 1,
      });
      expectError(await h.http('POST', '/api/v1/templates', { body: makeTemplate('my-rag') }), 409, 'conflict');
      expectError(await h.http('POST', '/api/v1/templates', { body: makeTemplate('simple-rag-v1') }), 409, 'conflict');

      const v2 = makeTemplate('my-rag', (t) => Object.assign(t, { version: '1.1.0', name: 'My RAG, bigger', revision: 1 }));
      expect((await h.http('PUT', '/api/v1/templates/my-rag', { body: v2 })).body).toMatchObject({ version: '1.1.0', revision: 2 });
      expectError(await h.http('PUT', '/api/v1/templates/my-rag', { body: v2 }), 409, 'conflict');
      const withoutId = makeTemplate('my-rag', (t) => Object.assign(t, { id: undefined, version: '1.2.0' }));
      expect((await h.http('PUT', '/api/v1/templates/my-rag', { body: withoutId })).body).toMatchObject({ version: '1.2.0', revision: 3 });
      expect(ids(await h.http('GET', '/api/v1/templates?is_system=false'))).toEqual(['my-rag']);
      expect(ids(await h.http('GET', '/api/v1/templates?tag=mine'))).toEqual(['my-rag']);

      const versions = await h.http('GET', '/api/v1/templates/my-rag/versions');
      expect(versions.body).toMatchObject({ total: 3, page: 1 });
      expect(versions.body.items.map((v: any) => [v.revision, v.version, v.change, v.author])).toEqual([
        [3, '1.2.0', 'updated', h.tenantA.userId],
        [2, '1.1.0', 'updated', h.tenantA.userId],
        [1, '1.0.0', 'created', h.tenantA.userId],
      ]);
      expect(versions.body.items[2].document).toMatchObject({ id: 'my-rag', name: 'My RAG' });

      const fork = await h.http('POST', '/api/v1/templates/simple-rag-v1/fork', { body: {} });
      expect(fork.body).toMatchObject({
        id: 'simple-rag-v1-copy',
        name: 'Simple RAG (copy)',
        forked_from: 'simple-rag-v1',
        is_system: false,
      });
      expect((await h.http('POST', '/api/v1/templates/simple-rag-v1/fork', { body: { name: 'Again' } })).body).toMatchObject({
        id: 'simple-rag-v1-copy-2',
        name: 'Again',
      });
      expect((await h.http('POST', '/api/v1/templates/my-rag/fork', { body: { id: 'my-rag-2' } })).body).toMatchObject({
        id: 'my-rag-2',
        forked_from: 'my-rag',
        version: '1.2.0',
      });
      expectError(await h.http('POST', '/api/v1/templates/my-rag/fork', { body: { id: 'simple-rag-v1' } }), 409, 'conflict');
      expect((await h.http('GET', '/api/v1/templates/simple-rag-v1-copy/versions')).body.items.map((v: any) => v.change)).toEqual([
        'forked',
      ]);

      const rowId = (await db.query(`SELECT row_id FROM templates WHERE id = 'my-rag-2'`)).rows[0].row_id;
      expect((await h.http('DELETE', '/api/v1/templates/my-rag-2')).status).toBe(204);
      expectError(await h.http('GET', '/api/v1/templates/my-rag-2'), 404, 'not_found');
      expect((await db.query(`SELECT count(*)::int AS n FROM template_versions WHERE template_row_id = $1`, [rowId])).rows[0].n).toBe(0);
      expect((await h.http('POST', '/api/v1/templates', { body: makeTemplate('my-rag-2') })).status).toBe(201);
    });

    it("answers 404 for another tenant's template on every route, and lets that tenant reuse the id", async () => {
      await h.http('POST', '/api/v1/templates', { body: makeTemplate('private-rag') });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/v1/templates/private-rag'],
        ['GET', '/api/v1/templates/private-rag/schema'],
        ['GET', '/api/v1/templates/private-rag/versions'],
        ['PUT', '/api/v1/templates/private-rag', makeTemplate('private-rag')],
        ['DELETE', '/api/v1/templates/private-rag'],
        ['POST', '/api/v1/templates/private-rag/fork', {}],
      ];
      for (const [method, path, body] of routes) expectError(await h.http(method, path, { body, caller: h.tenantB }), 404, 'not_found');
      expect(ids(await h.http('GET', '/api/v1/templates?page_size=100', { caller: h.tenantB }))).toEqual(SYSTEM_IDS);
      expect((await h.http('POST', '/api/v1/templates', { body: makeTemplate('private-rag'), caller: h.tenantB })).body).toMatchObject({
        tenant_id: h.tenantB.tenantId,
      });
      expect((await h.http('GET', '/api/v1/templates/private-rag')).body.tenant_id).toBe(h.tenantA.tenantId);
    });

    it('lets the owner or template:manage in the tenant change a template, and nobody else', async () => {
      const sameTenant = (scopes: any[]): Promise<Caller> => h.caller(scopes, h.tenantA.tenantId);
      const viewer = await sameTenant(['usecase:view']);
      const builder = await sameTenant(['usecase:manage']);
      const manager = await sameTenant(['template:manage']);
      expectError(await h.http('POST', '/api/v1/templates', { body: makeTemplate('viewer-rag'), caller: viewer }), 403, 'forbidden');
      expectError(await h.http('POST', '/api/v1/templates/simple-rag-v1/fork', { body: {}, caller: viewer }), 403, 'forbidden');
      expect((await h.http('POST', '/api/v1/templates', { body: makeTemplate('builder-rag'), caller: builder })).status).toBe(201);
      const rows = await rowCounts();
      expectError(await h.http('PUT', '/api/v1/templates/my-rag', { body: makeTemplate('my-rag'), caller: builder }), 403, 'forbidden');
      expectError(await h.http('DELETE', '/api/v1/templates/my-rag', { caller: builder }), 403, 'forbidden');
      expect(await rowCounts()).toEqual(rows);
      expect((await h.http('PUT', '/api/v1/templates/builder-rag', { body: makeTemplate('builder-rag'), caller: builder })).status).toBe(
        200,
      );
      expect((await h.http('PUT', '/api/v1/templates/builder-rag', { body: makeTemplate('builder-rag'), caller: manager })).status).toBe(
        200,
      );
      expect((await h.http('DELETE', '/api/v1/templates/builder-rag', { caller: manager })).status).toBe(204);
    });
  });

  describe('bad input writes nothing', () => {
    beforeAll(async () => {
      await h.http('POST', '/api/v1/templates', { body: makeTemplate('target-rag') });
    });

    it('answers malformed JSON with 400', async () => {
      const before = await rowCounts();
      for (const [method, path] of [
        ['POST', '/api/v1/templates'],
        ['PUT', '/api/v1/templates/target-rag'],
        ['POST', '/api/v1/templates/target-rag/fork'],
        ['POST', '/api/v1/components'],
      ]) {
        expectError(await h.http(method, path, { raw: '{"id": ' }), 400, 'bad_request');
      }
      expect(await rowCounts()).toEqual(before);
    });

    // One object per case: jest reads a test function with more parameters than a row has as taking `done`.
    it.each<{ name: string; edit: (t: any) => void; path: string; message?: RegExp }>([
      { name: 'an unknown field', edit: (t) => (t.colour = 'red'), path: 'colour', message: /not a known field/ },
      { name: 'an unknown nested field', edit: (t) => (t.components[1].replica = 2), path: 'components[1].replica' },
      { name: 'a template id that is not a slug', edit: (t) => (t.id = 'My_RAG'), path: 'id' },
      {
        name: 'a component id that is not a DNS label',
        edit: (t) => (t.components[0].id = 'Embedding_1'),
        path: 'components[0].id',
        message: /DNS label/,
      },
      {
        name: 'an expression syntax error',
        edit: (t) => (t.components[1].model_id = '{{ parameters.model_id | }}'),
        path: 'components[1].model_id',
      },
      { name: 'an unknown parameter', edit: (t) => (t.components[1].model_id = '{{ parameters.nope }}'), path: 'components[1].model_id' },
      {
        name: 'an unknown component ref',
        edit: (t) => (t.components[0].component_ref = 'no-such-component'),
        path: 'components[0].component_ref',
      },
      {
        name: 'an unknown output key',
        edit: (t) => (t.components[3].env.LLM_URL = "{{ components['llm'].outputs.nope }}"),
        path: 'components[3].env.LLM_URL',
      },
      {
        name: 'an unknown component in an expression',
        edit: (t) => (t.components[3].env.LLM_URL = '{{ components.ghost.outputs.url }}'),
        path: 'components[3].env.LLM_URL',
      },
      {
        name: 'a dependency cycle',
        edit: (t) => (t.components[0].depends_on = ['orchestrator']),
        path: 'components[0].depends_on[0]',
        message: /cycle/,
      },
      {
        name: 'an unsafe helm value',
        edit: (t) => (t.components[2].config.persistence.hostPath = '/var/lib'),
        path: 'components[2].config.persistence.hostPath',
      },
      {
        name: 'an unsafe helm value in a list',
        edit: (t) => (t.components[2].config.sidecars = [{ securityContext: { privileged: true } }]),
        path: 'components[2].config.sidecars[0].securityContext.privileged',
      },
      { name: 'a missing required input', edit: (t) => delete t.components[3].env.LLM_URL, path: 'components[3]', message: /LLM_URL/ },
    ])('refuses $name with 422 naming the path, on create and update, writing nothing', async ({ edit, path, message }) => {
      const before = await rowCounts();
      for (const [method, url] of [
        ['POST', '/api/v1/templates'],
        ['PUT', '/api/v1/templates/target-rag'],
      ]) {
        const answer = await h.http(method, url, { body: makeTemplate(method === 'POST' ? 'new-rag' : 'target-rag', edit) });
        expectError(answer, 422, 'validation_failed', path);
        if (message) expect(answer.body.details.find((d: any) => d.path === path).message).toMatch(message);
      }
      expect(await rowCounts()).toEqual(before);
      expect((await h.http('GET', '/api/v1/templates/target-rag')).body.revision).toBe(1);
    });
  });

  describe('system template sync', () => {
    const file = (relative: string) => join(templatesDir, relative);
    const edit = (relative: string, from: string, to: string) => {
      const text = readFileSync(file(relative), 'utf8');
      expect(text).toContain(from);
      writeFileSync(file(relative), text.replace(from, to));
    };

    it('is for platform:admin only, and changes nothing while the files are unchanged', async () => {
      expectError(await h.http('POST', '/api/v1/templates/sync'), 403, 'forbidden');
      const answer = await h.http('POST', '/api/v1/templates/sync', { caller: h.admin });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ created: [], updated: [], unchanged: SYSTEM_IDS, conflicts: [], deactivated: [], errors: [] });
    });

    it('creates new files, updates version bumps, reports same-version edits as conflicts and deactivates removed files', async () => {
      writeFileSync(
        file('system/rag/new-rag-v1.yaml'),
        readFileSync(file('system/rag/simple-rag-v1.yaml'), 'utf8').replace('id: simple-rag-v1', 'id: new-rag-v1'),
      );
      edit('system/chatbot/simple-chatbot-v1.yaml', 'version: "1.0.0"', 'version: "1.1.0"');
      edit('system/rag/enterprise-rag-v1.yaml', 'name: Enterprise RAG', 'name: Enterprise RAG, renamed');
      unlinkSync(file('system/agent/simple-agent-v1.yaml'));
      // tenant A already saved a user template 'my-rag'; a system template must not shadow it.
      writeFileSync(
        file('system/rag/my-rag.yaml'),
        readFileSync(file('system/rag/simple-rag-v1.yaml'), 'utf8').replace('id: simple-rag-v1', 'id: my-rag'),
      );
      writeFileSync(
        file('system/agent/broken-v1.yaml'),
        'id: broken-v1\nname: Broken\ncategory: agent\nversion: "1.0.0"\ncomponents:\n  - id: x\n    component_ref: nothing-here\n',
      );

      const result = (await h.http('POST', '/api/v1/templates/sync', { caller: h.admin })).body;
      expect(result).toMatchObject({
        created: ['new-rag-v1'],
        updated: ['simple-chatbot-v1'],
        unchanged: ['chatbot-memory-v1', 'crewai-crew-v1', 'langgraph-agent-v1', 'simple-rag-v1'],
        conflicts: [
          {
            id: 'enterprise-rag-v1',
            source_file: 'system/rag/enterprise-rag-v1.yaml',
            message: expect.stringContaining('bump the version'),
          },
          { id: 'my-rag', source_file: 'system/rag/my-rag.yaml', message: expect.stringContaining('user templates') },
        ],
        deactivated: ['simple-agent-v1'],
        errors: [{ source_file: 'system/agent/broken-v1.yaml', path: 'components[0].component_ref', message: expect.any(String) }],
      });
      expect((await h.http('GET', '/api/v1/templates/new-rag-v1')).body).toMatchObject({
        is_system: true,
        source_file: 'system/rag/new-rag-v1.yaml',
      });
      expect((await h.http('GET', '/api/v1/templates/simple-chatbot-v1')).body).toMatchObject({ version: '1.1.0', revision: 2 });
      expect((await h.http('GET', '/api/v1/templates/enterprise-rag-v1')).body.name).toBe('Enterprise RAG');
      expectError(await h.http('GET', '/api/v1/templates/simple-agent-v1'), 404, 'not_found');
      expectError(await h.http('GET', '/api/v1/templates/broken-v1'), 404, 'not_found');
      const history = await db.query(
        `SELECT v.change FROM template_versions v JOIN templates t ON t.row_id = v.template_row_id WHERE t.id = 'simple-agent-v1' ORDER BY v.id`,
      );
      expect(history.rows.map((r) => r.change)).toEqual(['created', 'deactivated']);
    });

    it('reactivates a system template whose file comes back', async () => {
      cpSync(join(__dirname, '../../../..', 'templates/system/agent/simple-agent-v1.yaml'), file('system/agent/simple-agent-v1.yaml'));
      unlinkSync(file('system/agent/broken-v1.yaml'));
      const result = (await h.http('POST', '/api/v1/templates/sync', { caller: h.admin })).body;
      expect(result).toMatchObject({ created: [], updated: ['simple-agent-v1'], deactivated: [], errors: [] });
      expect((await h.http('GET', '/api/v1/templates/simple-agent-v1')).body).toMatchObject({ is_active: true, revision: 3 });
    });
  });
});
