import type { DataSource } from 'typeorm';
import { ManualClock } from '@bud/testing';
import { ClusterRepository } from './cluster.repository';

const CLUSTER_ID = '00000000-0000-4000-8000-000000000001';
const TENANT_ID = '00000000-0000-4000-8000-00000000000a';

describe('ClusterRepository read cache', () => {
  const setUp = () => {
    const query = jest.fn(async () => [{ id: CLUSTER_ID, name: 'shared', tenant_id: null, status: 'active' }]);
    const clock = new ManualClock(1_000_000);
    const repository = new ClusterRepository({ query } as unknown as DataSource, clock);
    return { query, clock, repository };
  };

  it('serves a cluster read within two seconds of the injected clock from memory', async () => {
    const { query, clock, repository } = setUp();
    await repository.findById(CLUSTER_ID);
    await clock.advance(1999);
    const cluster = await repository.findVisible(CLUSTER_ID, TENANT_ID);
    expect(cluster?.id).toBe(CLUSTER_ID);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('reads the cluster again once the injected clock passes the two seconds', async () => {
    const { query, clock, repository } = setUp();
    await repository.findById(CLUSTER_ID);
    await clock.advance(2000);
    await repository.findVisible(CLUSTER_ID, TENANT_ID);
    expect(query).toHaveBeenCalledTimes(2);
  });
});
