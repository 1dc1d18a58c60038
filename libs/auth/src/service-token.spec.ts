import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ServiceTokens } from './service-token';
import { signToken } from './token-signer';

const SECRET = 'service-token-secret-of-at-least-32-chars';
const TENANT = '11111111-1111-4111-8111-111111111111';

describe('ServiceTokens', () => {
  const tokens = new ServiceTokens(SECRET);

  it('verifies a token signed for this audience, with the caller and tenant', async () => {
    const token = await tokens.sign('budusecases', 'budcluster', { tenantId: TENANT });
    await expect(tokens.verify(`Bearer ${token}`, 'budcluster')).resolves.toEqual({ service: 'budusecases', tenantId: TENANT });
  });

  it.each([
    ['another audience', async () => tokens.sign('budusecases', 'budusecases')],
    ['another secret', async () => new ServiceTokens('x'.repeat(40)).sign('budusecases', 'budcluster')],
    [
      'a user token signed with the same secret',
      async () => signToken(SECRET, { sub: TENANT, tenant_id: TENANT, scopes: ['platform:admin'] }),
    ],
    [
      'a token whose issuer is not its subject',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'bud-service+jwt' })
          .setIssuer('bud-service:budcluster')
          .setSubject('budusecases')
          .setAudience('bud-service:budcluster')
          .setIssuedAt()
          .setExpirationTime('60s')
          .sign(new TextEncoder().encode(SECRET)),
    ],
    [
      'a token without exp',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'bud-service+jwt' })
          .setIssuer('bud-service:budusecases')
          .setSubject('budusecases')
          .setAudience('bud-service:budcluster')
          .setIssuedAt()
          .sign(new TextEncoder().encode(SECRET)),
    ],
    [
      'a token living longer than 15 minutes',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'bud-service+jwt' })
          .setIssuer('bud-service:budusecases')
          .setSubject('budusecases')
          .setAudience('bud-service:budcluster')
          .setIssuedAt()
          .setExpirationTime('2h')
          .sign(new TextEncoder().encode(SECRET)),
    ],
    ['garbage', async () => 'not.a.token'],
  ])('refuses %s', async (_, make) => {
    await expect(tokens.verify(`Bearer ${await make()}`, 'budcluster')).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a missing token', async () => {
    await expect(tokens.verify(undefined, 'budcluster')).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('shares one generated key file between the two services', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bud-service-key-')), 'nested', 'service-token.key');
    const first = ServiceTokens.fromKeyFile(path);
    const second = ServiceTokens.fromKeyFile(path);
    const token = await first.sign('budcluster', 'budusecases');
    await expect(second.verify(`Bearer ${token}`, 'budusecases')).resolves.toEqual({ service: 'budcluster', tenantId: undefined });
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });
});
