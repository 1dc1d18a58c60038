import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('a'.repeat(64));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('apiVersion: v1\nclusters: []');
    expect(sealed).not.toContain('clusters');
    expect(box.open(sealed)).toBe('apiVersion: v1\nclusters: []');
  });

  it('refuses ciphertext sealed with another key or tampered with', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox('b'.repeat(64)).open(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });
});
