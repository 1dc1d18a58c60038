import { DataSource } from 'typeorm';
import { deploymentResponseSchema, pageOf } from '@bud/contracts';
import { startUsecasesHarness } from '../support/harness';
import type { UsecasesHarness } from '../support/harness';

const ROWS = 13;

/** docs/design.md#lists-and-pagination: GET /deployments pages by cursor as the jobs list does. */
describe('deployment list cursors', () => {
  let h: UsecasesHarness;
  let db: DataSource;
  beforeAll(async () => {
    h = await startUsecasesHarness();
    db = h.usecases.app.get(DataSource);
    // Stopped deployments, two to a created_at, so no reconciler acts on them and pages split equal times.
    await db.query(
      `INSERT INTO deployments (id, tenant_id, created_by, name, template_id, template_version, template_document, cluster_id, namespace,
                                parameters, plan, resolve_context, status, desired_state, on_failure, estimated_cost_per_hour, created_at, updated_at)
       SELECT gen_random_uuid(), $1, $1, 'seeded-' || n, 'no-such-template', '1.0.0', '{}', $2, 'ns', '{}',
              '{"template_id":"no-such-template","template_version":"1.0.0","parameters":{},"waves":[],"skipped":[],"total":{"components":0,"gpus":{},"estimated_cost_per_hour":"0"}}',
              '{}', 'stopped', 'stopped', 'stop', 0, timestamptz '2026-03-01' - ((n / 2) || ' seconds')::interval, now()
         FROM generate_series(1, $3::int) AS n`,
      [h.tenantA.tenantId, h.localClusterId, ROWS],
    );
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('returns every deployment exactly once, newest first, and says the total is exact', async () => {
    const expected = (
      await db.query<Array<{ id: string }>>(`SELECT id FROM deployments WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, [
        h.tenantA.tenantId,
      ])
    ).map((row) => row.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const path: string = `/api/v1/deployments?page_size=4${cursor ? `&cursor=${cursor}` : ''}`;
      const answer = await h.http('GET', path, { schema: pageOf(deploymentResponseSchema) });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ total: ROWS, total_kind: 'exact' });
      seen.push(...answer.body.items.map((d: { id: string }) => d.id));
      cursor = answer.body.next_cursor ?? null;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected);
  });

  it("refuses a cursor that is not one, or another filter's, with 422 naming query.cursor", async () => {
    const first = await h.http('GET', '/api/v1/deployments?page_size=4');
    for (const query of ['cursor=garbage', `status=running&cursor=${first.body.next_cursor}`]) {
      const answer = await h.http('GET', `/api/v1/deployments?${query}`);
      expect(answer.status).toBe(422);
      expect(answer.body.details[0].path).toBe('query.cursor');
    }
  });
});
