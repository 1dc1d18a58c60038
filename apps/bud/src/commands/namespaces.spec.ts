import { namespaceResponseSchema } from '@bud/contracts';
import { bud, fakeFetch, page } from '../../test/support/fake-cli';

const LOCAL_ID = '11111111-1111-4111-8111-111111111111';
const clusters = { 'GET /api/v1/clusters': () => page([{ id: LOCAL_ID, name: 'local' }]) };
const namespace = namespaceResponseSchema.parse({
  cluster_id: LOCAL_ID,
  name: 'uc-rag',
  tenant_id: '44444444-4444-4444-8444-444444444444',
  project_id: null,
  objects: [
    { kind: 'NetworkPolicy', name: 'bud-tenant-isolation' },
    { kind: 'LimitRange', name: 'bud-default-requests' },
  ],
  pod_security: { enforce: 'baseline', warn: 'restricted' },
  created_at: '2026-01-10T11:00:00.000Z',
});

describe('bud namespaces', () => {
  it("lists the tenant's namespaces on a cluster named by name, with pod security and isolation objects", async () => {
    const { fetchFn, calls } = fakeFetch({ ...clusters, [`GET /api/v1/clusters/${LOCAL_ID}/namespaces`]: () => page([namespace]) });
    const result = await bud(['namespaces', 'list', '--cluster', 'local'], fetchFn);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^NAME\s+PROJECT\s+POD SECURITY\s+OBJECTS\s+AGE$/m);
    expect(result.stdout).toMatch(
      /^uc-rag\s+-\s+enforce baseline, warn restricted\s+NetworkPolicy\/bud-tenant-isolation, LimitRange\/bud-default-requests\s+\S+$/m,
    );
    expect(Object.fromEntries(new URL(calls.at(-1)!.url).searchParams)).toEqual({ page: '1', page_size: '100' });
  });

  it('needs --cluster, and asks nothing without it', async () => {
    const { fetchFn, calls } = fakeFetch({});
    const result = await bud(['namespaces', 'list'], fetchFn);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--cluster/);
    expect(calls).toEqual([]);
  });
});
