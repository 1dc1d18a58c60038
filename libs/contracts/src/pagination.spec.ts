import { MAX_CURSOR_LENGTH, decodeCursor, encodeCursor, filterFingerprint } from './pagination';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('keyset cursors', () => {
  it('decode what they encode: the time to the microsecond, the id and the filters', () => {
    const filters = filterFingerprint({ status: ['failed'] });
    const token = encodeCursor({ createdAtMicros: '1772366400000001', id }, filters);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodeCursor(token)).toEqual({ position: { createdAtMicros: '1772366400000001', id }, filters });
  });

  it('take times before 1970 too', () => {
    const token = encodeCursor({ createdAtMicros: '-86400000000', id }, filterFingerprint({}));
    expect(decodeCursor(token)).toMatchObject({ position: { createdAtMicros: '-86400000000' } });
  });

  it.each([
    ['an empty token', ''],
    ['not base64url', 'a+b/c='],
    ['base64url of text', Buffer.from('hello').toString('base64url')],
    ['an object', Buffer.from('{"v":1}').toString('base64url')],
    ['too few fields', Buffer.from(JSON.stringify([1, '1', id])).toString('base64url')],
    ['18 digits of time', Buffer.from(JSON.stringify([1, '1'.repeat(18), id, '0123456789abcdef'])).toString('base64url')],
    ['an upper-case id', Buffer.from(JSON.stringify([1, '1', id.toUpperCase(), '0123456789abcdef'])).toString('base64url')],
    ['a short fingerprint', Buffer.from(JSON.stringify([1, '1', id, 'abc'])).toString('base64url')],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
  ])('refuse %s as an error, never by throwing', (_name, token) => {
    expect(decodeCursor(token)).toEqual({ error: expect.any(String) });
  });
});

describe('filterFingerprint', () => {
  it('ignores key order, value order and absent keys, and tells different filters apart', () => {
    const a = filterFingerprint({ status: ['failed'], labels: { team: 'a', tier: 'b' }, project_id: undefined });
    expect(filterFingerprint({ labels: { tier: 'b', team: 'a' }, status: ['failed'] })).toBe(a);
    expect(filterFingerprint({ status: ['failed', 'cancelled'] })).toBe(filterFingerprint({ status: ['cancelled', 'failed'] }));
    expect(filterFingerprint({ status: ['failed'], labels: { team: 'a' } })).not.toBe(a);
    expect(filterFingerprint({})).not.toBe(filterFingerprint({ status: ['failed'] }));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
