import { SignJWT } from 'jose';
import { TokenVerifier } from './token-verifier';

const SECRET = 'token-verifier-spec-secret-of-32-chars!';
const USER = '00000000-0000-4000-8000-000000000001';
const TENANT = '00000000-0000-4000-8000-000000000002';
const now = () => Math.floor(Date.now() / 1000);

async function token(times: { iat?: number; exp?: number }, ids = { user: USER, tenant: TENANT }): Promise<string> {
  const jwt = new SignJWT({ tenant_id: ids.tenant, scopes: ['job:view'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(ids.user);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ jwtSecret: SECRET, maxTokenTtlSeconds: 86_400 });

  it.each([
    ['an hour-long token', { iat: now(), exp: now() + 3600 }],
    ['a token of exactly the maximum lifetime', { iat: now(), exp: now() + 86_400 }],
    ['a token without iat that expires within the maximum', { exp: now() + 3600 }],
  ])('accepts %s', async (_name, times) => {
    await expect(verifier.verify(`Bearer ${await token(times)}`)).resolves.toMatchObject({ userId: USER, tenantId: TENANT });
  });

  it('lower-cases the user and tenant ids, as the databases hand uuids back', async () => {
    const upper = await token(
      { iat: now(), exp: now() + 60 },
      { user: USER.toUpperCase(), tenant: 'ABCDEF01-0000-4000-8000-00000000000A' },
    );
    await expect(verifier.verify(`Bearer ${upper}`)).resolves.toMatchObject({
      userId: USER,
      tenantId: 'abcdef01-0000-4000-8000-00000000000a',
    });
  });

  it.each([
    ['a token without exp', { iat: now() }, /exp/],
    ['a token without iat or exp', {}, /exp/],
    ['a token living longer than the maximum', { iat: now(), exp: now() + 86_401 }, /lifetime/],
    ['a token without iat expiring past the maximum from now', { exp: now() + 2 * 86_400 }, /lifetime/],
    ['a token issued long ago with a far expiry', { iat: now() - 30 * 86_400, exp: now() + 60 }, /lifetime/],
    ['an expired token', { iat: now() - 7200, exp: now() - 3600 }, /exp/],
  ])('refuses %s with 401 unauthenticated', async (_name, times, message) => {
    await expect(verifier.verify(`Bearer ${await token(times)}`)).rejects.toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(message),
    });
  });
});

describe('TokenVerifier remembering verified tokens', () => {
  it('refuses a remembered token once it has expired', async () => {
    let clock = Date.now();
    const verifier = new TokenVerifier({ jwtSecret: SECRET }, () => clock);
    const shortLived = await token({ iat: now(), exp: now() + 30 });
    const bearer = `Bearer ${shortLived}`;
    await expect(verifier.verify(bearer)).resolves.toMatchObject({ userId: USER });
    await expect(verifier.verify(bearer)).resolves.toMatchObject({ userId: USER });
    clock += 31_000;
    await expect(verifier.verify(bearer)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('remembers a token by its whole text: the same claims under a forged signature are still refused', async () => {
    const verifier = new TokenVerifier({ jwtSecret: SECRET });
    const valid = await token({ iat: now(), exp: now() + 60 });
    await expect(verifier.verify(`Bearer ${valid}`)).resolves.toMatchObject({ userId: USER });
    const forged = `${valid.slice(0, valid.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    await expect(verifier.verify(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
