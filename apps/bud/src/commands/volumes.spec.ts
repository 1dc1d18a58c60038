import { volumeResponseSchema } from '@bud/contracts';
import { bud, fakeFetch, page } from '../../test/support/fake-cli';
import { DEPLOYMENT_ID, makeDeployment } from '../../test/support/fixtures';

const LOCAL_ID = '11111111-1111-4111-8111-111111111111';
const VOLUME_ID = '55555555-5555-4555-8555-555555555555';
const clusters = { 'GET /api/v1/clusters': () => page([{ id: LOCAL_ID, name: 'local' }]) };
const volume = volumeResponseSchema.parse({
  id: VOLUME_ID,
  cluster_id: LOCAL_ID,
  tenant_id: '44444444-4444-4444-8444-444444444444',
  namespace: 'uc-rag',
  claim_name: 'chat-ui-data',
  volume_name: 'data',
  job_name: 'chat-ui',
  job_id: null,
  usecase_deployment_id: DEPLOYMENT_ID,
  component: 'chat-ui',
  size: '5Gi',
  status: 'retained',
  estimated_cost_per_month: '0.500000',
  created_at: '2026-01-10T11:00:00.000Z',
  updated_at: '2026-01-10T11:00:00.000Z',
  age_seconds: 3600,
});

describe('bud volumes', () => {
  it("lists a cluster's kept volumes of a deployment by name, with size, status, $/month and age", async () => {
    const { fetchFn, calls } = fakeFetch({
      ...clusters,
      'GET /api/v1/deployments': () => page([makeDeployment()]),
      [`GET /api/v1/clusters/${LOCAL_ID}/volumes`]: () => page([volume]),
    });
    const result = await bud(['volumes', 'list', '--cluster', 'local', '--status', 'retained', '--deployment', 'rag'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^ID\s+CLAIM\s+COMPONENT\s+SIZE\s+STATUS\s+\$\/MONTH\s+AGE$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^${VOLUME_ID}\\s+uc-rag/chat-ui-data\\s+chat-ui\\s+5Gi\\s+retained\\s+\\$0\\.50\\s+60m$`, 'm'),
    );
    const list = new URL(calls.at(-1)!.url);
    expect(Object.fromEntries(list.searchParams)).toEqual({
      page: '1',
      page_size: '100',
      status: 'retained',
      usecase_deployment_id: DEPLOYMENT_ID,
    });
  });

  it('refuses an unknown status before any request', async () => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['volumes', 'list', '--cluster', 'local', '--status', 'kept'], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("error: --status must be one of attached, detached, retained, deleting, got 'kept'");
    expect(calls).toEqual([]);
  });

  it('deletes a volume, and reports the refusal while a job holds it', async () => {
    let attached = false;
    const { fetchFn, calls } = fakeFetch({
      ...clusters,
      [`DELETE /api/v1/clusters/${LOCAL_ID}/volumes/${VOLUME_ID}`]: () =>
        attached
          ? { status: 409, body: { status_code: 409, error: 'conflict', message: 'volume chat-ui-data is attached to job chat-ui' } }
          : { status: 204 },
    });
    const deleted = await bud(['volumes', 'delete', VOLUME_ID, '--cluster', 'local'], fetchFn);
    expect(deleted).toMatchObject({ code: 0, stdout: `Volume ${VOLUME_ID} is deleted.\n` });
    attached = true;
    const refused = await bud(['volumes', 'delete', VOLUME_ID, '--cluster', 'local'], fetchFn);
    expect(refused).toMatchObject({ code: 1, stderr: 'error: volume chat-ui-data is attached to job chat-ui\n' });
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(2);
  });
});
