import { createJobRequestSchema } from './job';
import { quotaRequestSchema } from './quota';

describe('quotaRequestSchema', () => {
  it('takes a cluster-sized CPU and memory quota, beyond what one replica may ask', () => {
    const parsed = quotaRequestSchema.safeParse({ cpu: { nominal: '4096' }, memory: { nominal: '64Ti', borrowing_limit: '1Pi' } });
    expect(parsed.success).toBe(true);
  });

  it.each([
    ['cpu', { cpu: { nominal: '2000000' } }, 'cpu.nominal'],
    ['memory', { memory: { nominal: '2Ei' } }, 'memory.nominal'],
  ])('refuses an absurd %s quota, naming its path', (_kind, body, path) => {
    const parsed = quotaRequestSchema.safeParse(body);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });

  it('accepts a borrowing limit of 0 outside the cohort and refuses any other', () => {
    const zero = { cohort: false, gpus: { 'H100-80GB': { nominal: 4, borrowing_limit: 0 } }, cpu: { nominal: '8', borrowing_limit: '0' } };
    expect(quotaRequestSchema.safeParse(zero).success).toBe(true);
    const some = quotaRequestSchema.safeParse({ cohort: false, gpus: { 'H100-80GB': { nominal: 4, borrowing_limit: 2 } } });
    expect(some.success ? [] : some.error.issues.map((i) => i.path.join('.'))).toEqual(['gpus.H100-80GB.borrowing_limit']);
  });
});

describe('GPU type names', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    'refuses %s, which would read an Object member wherever it is a key',
    (name) => {
      const job = createJobRequestSchema.safeParse({
        name: 'x',
        spec: { kind: 'container', image: 'nginx:1.27' },
        resources: { gpu_type: name, gpu_count: 1, cpu_request: '1', memory_request: '1Gi', replicas: 1 },
      });
      expect(job.success ? [] : job.error.issues.map((i) => i.path.join('.'))).toEqual(['resources.gpu_type']);
      const quota = quotaRequestSchema.safeParse({ gpus: { [name]: { nominal: 1 } } });
      expect(quota.success).toBe(false);
    },
  );
});
