import type { JobResources, JobSpec } from '@bud/contracts';
import { jobHash } from './job-hash';

const spec = { kind: 'container', image: 'redis:7', env: { A: '1', B: '2' }, secret_env: { PASSWORD: 'hunter2' } } as unknown as JobSpec;
const resources = { gpu_count: 0, cpu_request: '1', memory_request: '1Gi', replicas: 1 } as JobResources;

describe('job digests (docs/design.md#in-place-update)', () => {
  it('ignores key order and sees every change, replicas included', () => {
    const reordered = { ...spec, env: { B: '2', A: '1' } } as JobSpec;
    expect(jobHash({ spec: reordered, resources })).toBe(jobHash({ spec, resources }));
    expect(jobHash({ spec, resources: { ...resources, replicas: 2 } })).not.toBe(jobHash({ spec, resources }));
  });

  it('is keyed per deployment, so a stored digest cannot be matched against guessed secrets without the key', () => {
    const key = Buffer.alloc(32, 7);
    expect(jobHash({ spec, resources }, key)).not.toBe(jobHash({ spec, resources }));
    expect(jobHash({ spec, resources }, key)).not.toBe(jobHash({ spec, resources }, Buffer.alloc(32, 8)));
    expect(jobHash({ spec, resources }, key)).toBe(jobHash({ spec, resources }, Buffer.alloc(32, 7)));
  });
});
