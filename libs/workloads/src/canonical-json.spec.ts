import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 2, y: 1 }] }, b: 1 }),
    );
  });
});
