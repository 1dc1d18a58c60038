import { isReservedLabelKey, labelsSchema } from './common';

describe('reserved labels', () => {
  it.each([
    ['bud.ai/job-id', true],
    ['BUD.AI/tenant-id', true],
    ['usecases.bud.ai/template', true],
    ['app.kubernetes.io/managed-by', true],
    ['kueue.x-k8s.io/queue-name', true],
    ['team', false],
    ['example.com/bud.ai', false],
    ['notbud.ai/x', false],
    ['app.kubernetes.io/name', false],
    ['usecase-template', false],
  ])('%s reserved: %s', (key, reserved) => {
    expect(isReservedLabelKey(key)).toBe(reserved);
  });

  it('names the reserved label in the issue path', () => {
    const result = labelsSchema.safeParse({ team: 'a', 'bud.ai/tenant-id': 'x' });
    expect(result.error?.issues.map((i) => i.path)).toEqual([['bud.ai/tenant-id']]);
  });
});
