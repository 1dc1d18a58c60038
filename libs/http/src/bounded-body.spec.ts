import { findBodyViolation } from './bounded-body';

describe('findBodyViolation', () => {
  it.each([
    ['a normal document', { a: [1, 'x', { b: null }] }, null],
    ['a NUL inside a nested string', { components: [{}, { config: { model_id: 'a\u0000b' } }] }, 'components[1].config.model_id'],
    ['a lone high surrogate', JSON.parse('{"settings":{"faults":[{"match":{"image":"\\ud800"}}]}}'), 'settings.faults[0].match.image'],
    ['a lone low surrogate', JSON.parse('{"env":{"A":"x\\udc00y"}}'), 'env.A'],
    ['a whole surrogate pair (an emoji)', { name: 'ok 😀' }, null],
    ['a string over 64 KiB', { description: 'x'.repeat(65_537) }, 'description'],
    ['nesting deeper than 64', JSON.parse(`${'{"a":'.repeat(70)}1${'}'.repeat(70)}`), expect.stringMatching(/^a(\.a)+$/)],
  ])('%s', (_name, body, path) => {
    const violation = findBodyViolation(body);
    if (path === null) expect(violation).toBeNull();
    else expect(violation?.path).toEqual(path);
  });

  it('walks 100,000-level nesting without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findBodyViolation(deep)?.message).toMatch(/deeper than 64/);
  });
});
