import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, test } from 'vitest';
import { API_KEY_TOKEN, checkCustomerToken, lifetimeReason } from '../../src/cloud/token-check.js';
import { signClaims, unsignedToken, vendorClaims, vendorPageToken } from '../support/tokens.js';

const API_KEY = 'golden-api-key';
const SECRET = 'golden-secret';
const USER = 'carol';
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const nowS = NOW_MS / 1000;
const claims = (extra: JWTPayload = {}): JWTPayload => ({ ...vendorClaims(API_KEY, USER, NOW_MS), ...extra });

/** What jsonwebtoken (the library ApiRTC's cloud checks tokens with) says of a token, with the cloud's options. */
function jsonwebtokenReason(token: string): string | undefined {
  try {
    jsonwebtoken.verify(token, SECRET, { algorithms: ['HS256'], audience: 'apiRTC', subject: API_KEY, clockTimestamp: nowS });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function reasonOf(token: string, ...limit: [maxLifetime: number | undefined] | []): Promise<string | undefined> {
  const maxLifetime = limit.length === 0 ? 24 * 3600 : limit[0];
  const check = await checkCustomerToken(token, { apiKey: API_KEY, channelId: USER, secret: SECRET, nowMs: NOW_MS, maxLifetime });
  return check.ok ? undefined : check.reason;
}

// Each case: a token, and the exact text ApiRTC's cloud refuses it with (behind 'access token failure: ').
const jsonwebtokenCases: [string, string, () => Promise<string>][] = [
  ['garbage', 'jwt malformed', async () => 'not-a-jwt'],
  ['two parts', 'jwt malformed', async () => (await signClaims(claims(), SECRET)).split('.').slice(0, 2).join('.')],
  ['a header that is not JSON', 'invalid token', async () => `bm90LWpzb24.${Buffer.from('{}').toString('base64url')}.c2ln`],
  ['alg none, no signature', 'jwt signature is required', async () => unsignedToken(claims())],
  ['HS512', 'invalid algorithm', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(SECRET))],
  [
    'RS256',
    'invalid algorithm',
    async () => new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign((await generateKeyPair('RS256')).privateKey),
  ],
  ['the wrong secret', 'invalid signature', async () => signClaims(claims(), `${SECRET}-not-quite`)],
  ['a future nbf', 'jwt not active', async () => signClaims(claims({ nbf: nowS + 60 }), SECRET)],
  ['an nbf that is no number', 'invalid nbf value', async () => signClaims(claims({ nbf: 'soon' as unknown as number }), SECRET)],
  ['exp = now', 'jwt expired', async () => signClaims(claims({ exp: nowS }), SECRET)],
  ['an exp that is no number', 'invalid exp value', async () => signClaims(claims({ exp: 'tomorrow' as unknown as number }), SECRET)],
  ['expired and for the wrong audience (exp comes first)', 'jwt expired', async () => signClaims(claims({ exp: nowS - 1, aud: 'x' }), SECRET)],
  ['the wrong audience', 'jwt audience invalid. expected: apiRTC', async () => signClaims(claims({ aud: 'someone-else' }), SECRET)],
  ['no audience', 'jwt audience invalid. expected: apiRTC', async () => signClaims(claims({ aud: undefined }), SECRET)],
  ['the wrong subject', `jwt subject invalid. expected: ${API_KEY}`, async () => signClaims(claims({ sub: 'another-key' }), SECRET)],
  ['the wrong audience and subject (aud comes first)', 'jwt audience invalid. expected: apiRTC', async () => signClaims(claims({ aud: 'x', sub: 'y' }), SECRET)],
];

describe('customer JWT checks: jsonwebtoken texts, in its order (golden)', () => {
  test.each(jsonwebtokenCases)('%s: %s', async (_name, reason, makeToken) => {
    const token = await makeToken();
    expect(await reasonOf(token)).toBe(reason);
    // The oracle's oracle: jsonwebtoken itself says the same.
    expect(jsonwebtokenReason(token)).toBe(reason);
  });

  test('a valid token passes both', async () => {
    const token = await signClaims(claims(), SECRET);
    expect(await reasonOf(token)).toBeUndefined();
    expect(jsonwebtokenReason(token)).toBeUndefined();
  });

  test("a token made the way ApiRTC's authentication page shows (jsonwebtoken.sign) passes", async () => {
    const check = await checkCustomerToken(vendorPageToken(API_KEY, SECRET, USER), {
      apiKey: API_KEY,
      channelId: USER,
      secret: SECRET,
      nowMs: Date.now(),
      maxLifetime: 3600,
    });
    expect(check).toMatchObject({ ok: true, apiKeyWide: false });
  });
});

describe('customer JWT checks: the ApiRTC grant and lifetime', () => {
  test('a grant for another user id is refused, naming what was expected', async () => {
    const token = await signClaims(claims({ grants: { apiRTC_UserAgent_Id: 'mallory' } }), SECRET);
    expect(await reasonOf(token)).toBe(`jwt grants.apiRTC_UserAgent_Id invalid. expected: ${USER} or ApiKey_Token`);
  });

  test('no grants at all is refused the same way', async () => {
    expect(await reasonOf(await signClaims(claims({ grants: undefined }), SECRET))).toBe(`jwt grants.apiRTC_UserAgent_Id invalid. expected: ${USER} or ApiKey_Token`);
  });

  test('the apiKey-wide token (grant ApiKey_Token) is valid for any channelId of its apiKey', async () => {
    const token = await signClaims(claims({ grants: { apiRTC_UserAgent_Id: API_KEY_TOKEN } }), SECRET);
    for (const channelId of [USER, 'dave', '123456']) {
      expect(await checkCustomerToken(token, { apiKey: API_KEY, channelId, secret: SECRET, nowMs: NOW_MS, maxLifetime: undefined })).toMatchObject({
        ok: true,
        apiKeyWide: true,
      });
    }
    // ... and still only for its own apiKey.
    expect(await checkCustomerToken(token, { apiKey: 'other', channelId: USER, secret: SECRET, nowMs: NOW_MS, maxLifetime: undefined })).toEqual({
      ok: false,
      reason: 'jwt subject invalid. expected: other',
    });
  });

  test.each<[string, JWTPayload, number | undefined, string | undefined]>([
    ['24 h exactly under a 24 h limit', { iat: nowS - 10, exp: nowS - 10 + 86_400 }, 86_400, undefined],
    ['24 h and 1 s under a 24 h limit', { iat: nowS - 10, exp: nowS - 10 + 86_401 }, 86_400, lifetimeReason(86_400)],
    ['2 h under a 1 h limit', { exp: nowS + 7200 - 10, iat: nowS - 10 }, 3600, lifetimeReason(3600)],
    ['no iat under a limit', { iat: undefined }, 3600, lifetimeReason(3600)],
    ['no exp under a limit', { exp: undefined }, 3600, lifetimeReason(3600)],
    ['a week with no limit', { iat: nowS, exp: nowS + 7 * 86_400 }, undefined, undefined],
  ])('%s', async (_name, extra, limit, reason) => {
    expect(await reasonOf(await signClaims(claims(extra), SECRET), limit)).toBe(reason);
  });

  test('the lifetime text', () => {
    expect(lifetimeReason(86_400)).toBe('jwt lifetime invalid. expected: exp - iat <= 86400');
  });
});
