import type { Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

const principal = (userId: string): Principal => ({ userId, tenantId: 't', scopes: new Set(), token: userId });

describe('VerifiedTokenCache', () => {
  it('answers a remembered token until its exp, never after', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.remember('a', principal('a'), 1_000 + 30);
    now += 29_999;
    expect(cache.get('a')?.userId).toBe('a');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets a verdict after a minute even when the token lives longer, so it is verified again', () => {
    let now = 0;
    const cache = new VerifiedTokenCache(() => now);
    cache.remember('a', principal('a'), 3600);
    now = 59_999;
    expect(cache.get('a')).toBeDefined();
    now = 60_000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most 5000 tokens, forgetting the oldest first', () => {
    const cache = new VerifiedTokenCache(() => 0);
    for (let i = 0; i <= 5000; i++) cache.remember(`t${i}`, principal(`t${i}`), 3600);
    expect(cache.get('t0')).toBeUndefined();
    expect(cache.get('t1')?.userId).toBe('t1');
    expect(cache.get('t5000')?.userId).toBe('t5000');
  });
});
