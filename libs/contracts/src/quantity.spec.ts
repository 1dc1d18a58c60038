import { jobResourcesSchema } from './job';
import { quantityBoundIssue, quantityValue } from './quantity';

describe('resource quantities', () => {
  it.each([
    ['500m', 0.5],
    ['8Gi', 8 * 2 ** 30],
    ['1.5', 1.5],
    ['2k', 2000],
    ['lots', Number.NaN],
  ])('reads %s as %d base units', (quantity, value) => {
    expect(quantityValue(quantity)).toBe(value);
  });

  it.each([
    ['cpu', '1024', null],
    ['cpu', '1025', 'must be at most 1024 (cores)'],
    ['cpu', '1000000000000000', 'must be at most 1024 (cores)'],
    ['cpu', '1024001m', 'must be at most 1024 (cores)'],
    ['memory', '16Ti', null],
    ['memory', '17Ti', 'must be at most 16Ti'],
    ['memory', '1E', 'must be at most 16Ti'],
    ['storage', '1Pi', null],
    ['storage', '1025Ti', 'must be at most 1Pi'],
    ['storage', 'not a quantity', null],
  ] as const)('bounds %s at %s: %s', (kind, quantity, issue) => {
    expect(quantityBoundIssue(kind, quantity)).toBe(issue);
  });

  it('names the field of an out-of-bounds job quantity', () => {
    const result = jobResourcesSchema.safeParse({ cpu_request: '2000', memory_request: '1Gi', storage: '2Pi' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['cpu_request', 'must be at most 1024 (cores)'],
      ['storage', 'must be at most 1Pi'],
    ]);
  });
});
