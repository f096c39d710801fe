import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { TEST_API_KEY, TEST_SECRET } from '../support/cloud.js';
import { registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { signClaims, unsignedToken, vendorClaims } from '../support/tokens.js';

const env = setupSdkWithCloud();
const USER = 'carol';

/** Each case makes a token for `register({ id: USER, token })` that the cloud must refuse, and the reason it must give. */
const cases: { name: string; reason: string; token: () => Promise<string> }[] = [
  {
    name: 'expired',
    reason: 'jwt expired',
    token: () => env.signToken({ userId: USER, expiresIn: 60, issuedAt: env.cloud.now() - 2 * 60_000 }),
  },
  {
    name: 'signed with the wrong secret',
    reason: 'invalid signature',
    token: () => env.signToken({ userId: USER, secret: `${TEST_SECRET}-but-not-quite` }),
  },
  {
    name: 'for the wrong audience',
    reason: 'jwt audience invalid. expected: apiRTC',
    token: () => signClaims({ ...vendorClaims(TEST_API_KEY, USER, env.cloud.now()), aud: 'someone-else' }, TEST_SECRET),
  },
  {
    name: 'for the wrong subject (apiKey)',
    reason: `jwt subject invalid. expected: ${TEST_API_KEY}`,
    token: () => signClaims({ ...vendorClaims(TEST_API_KEY, USER, env.cloud.now()), sub: 'another-api-key' }, TEST_SECRET),
  },
  {
    name: 'for another user id',
    reason: `jwt grants.apiRTC_UserAgent_Id invalid. expected: ${USER} or ApiKey_Token`,
    token: () => env.signToken({ userId: 'mallory' }),
  },
  {
    name: 'unsigned (alg none)',
    reason: 'jwt signature is required',
    token: async () => unsignedToken(vendorClaims(TEST_API_KEY, USER, env.cloud.now())),
  },
  {
    name: 'living longer than the 24 h the apiKey allows',
    reason: 'jwt lifetime invalid. expected: exp - iat <= 86400',
    token: () => signClaims(vendorClaims(TEST_API_KEY, USER, env.cloud.now(), 86_401), TEST_SECRET),
  },
];

describe('the cloud refuses bad JWTs, and the SDK shows why', { timeout: 20_000 }, () => {
  test.each(cases)('refuses a token $name with $reason', async ({ reason, token: makeToken }) => {
    const token = await makeToken();
    const refused = env.cloud.waitFor('refusal');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);

    const failure = await registerFailure(ua.register(env.registerOptions({ id: USER, token })));

    // The SDK's rejection: code 5 with the CCS's message (it stops reconnecting on this prefix).
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(failure.message).toContain(`access token failure: ${reason}`);
    // The cloud's record of the same refusal.
    expect(await refused).toEqual(
      expect.objectContaining({
        stage: 'handshake',
        mode: 'jwt',
        channelId: USER,
        apiKey: TEST_API_KEY,
        jti: decodeJwt(token).jti,
        reason,
        message: `access token failure: ${reason}`,
      }),
    );
    expect(env.cloud.registrations).toEqual([]);
    expect(env.cloud.sessions()).toEqual([]);
  });

  test('the token travels only in the handshake and is never recorded whole', async () => {
    const token = await env.signToken({ userId: USER });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: USER, token }));
    const signature = token.split('.')[2] as string;
    expect(JSON.stringify(env.cloud.state())).not.toContain(signature);
  });
});
