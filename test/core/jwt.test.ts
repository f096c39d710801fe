import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiRtcAuthError } from '../../src/core/errors.js';
import {
  APIKEY_WIDE_USER_ID,
  APIRTC_AUDIENCE,
  decodeApiRtcToken,
  findClaimProblem,
  localExpiry,
  USER_ID_GRANT,
  type ApiRtcClaims,
  type DecodedToken,
} from '../../src/core/jwt.js';
import { API_KEY, SECRET, signToken, signTokenNow, USER_ID } from '../support/engine.js';
import { FakeClock } from '../support/fake-clock.js';

const expected = { apiKey: API_KEY, userId: USER_ID };
const NOW_S = 1_800_000_000;

function claims(overrides: Partial<ApiRtcClaims> = {}): ApiRtcClaims {
  return { aud: APIRTC_AUDIENCE, sub: API_KEY, grants: { [USER_ID_GRANT]: USER_ID }, iat: NOW_S, exp: NOW_S + 60, jti: 'j-1', ...overrides };
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** A token assembled by hand: any header, any payload (raw JSON text or an object), HS256-signed unless `signature` is given. */
function handmade(header: object | string, payload: object | string, signature?: string): string {
  const encode = (part: object | string) => b64url(typeof part === 'string' ? part : JSON.stringify(part));
  const body = `${encode(header)}.${encode(payload)}`;
  return `${body}.${signature ?? createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/** Calls `fn`, expecting an ApiRtcAuthError; returns it. */
function thrown(fn: () => unknown): ApiRtcAuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    return error as ApiRtcAuthError;
  }
  throw new Error('expected a throw');
}

/** The token must appear nowhere in what the error says (message, cause's message). */
function expectNoSecret(error: ApiRtcAuthError, token: string) {
  const parts = token.split('.').filter((part) => part.length > 8);
  const said = [error.message, String(error), String(error.cause ?? ''), JSON.stringify(error)].join('\n');
  expect(said).not.toContain(token);
  for (const part of parts) expect(said).not.toContain(part);
}

describe('findClaimProblem', () => {
  it('accepts the vendor claims', () => {
    expect(findClaimProblem(claims(), expected)).toBeUndefined();
  });

  it.each([
    ['aud as a string', 'apiRTC', undefined],
    ['aud as an array containing apiRTC', ['other', 'apiRTC'], undefined],
    ['aud as another string', 'apiRTCx', 'audience'],
    ['aud in another case', 'apirtc', 'audience'],
    ['aud as an array without apiRTC', ['other'], 'audience'],
    ['aud as an empty array', [], 'audience'],
    ['no aud', undefined, 'audience'],
  ] as const)('%s', (_name, aud, problem) => {
    const result = findClaimProblem(claims({ aud: aud as ApiRtcClaims['aud'] }), expected);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });

  it('refuses a sub that is not the apiKey (or is missing)', () => {
    expect(findClaimProblem(claims({ sub: 'another-key' }), expected)).toContain('subject');
    expect(findClaimProblem(claims({ sub: undefined }), expected)).toContain('subject');
  });

  it('refuses a user id grant that is missing or does not match', () => {
    expect(findClaimProblem(claims({ grants: { [USER_ID_GRANT]: 'bob' } }), expected)).toContain(USER_ID_GRANT);
    expect(findClaimProblem(claims({ grants: {} }), expected)).toContain(USER_ID_GRANT);
    expect(findClaimProblem(claims({ grants: undefined }), expected)).toContain(USER_ID_GRANT);
    expect(findClaimProblem(claims({ grants: { otherGrant: USER_ID } }), expected)).toContain(USER_ID_GRANT);
    // Compared strictly: a numeric grant is not the string user id.
    expect(findClaimProblem(claims({ grants: { [USER_ID_GRANT]: 42 } }), { apiKey: API_KEY, userId: '42' })).toContain(USER_ID_GRANT);
  });

  it('accepts the apiKey-wide token (grant ApiKey_Token) for any user id of the apiKey, and only for its apiKey', () => {
    const wide = claims({ grants: { [USER_ID_GRANT]: APIKEY_WIDE_USER_ID } });
    expect(APIKEY_WIDE_USER_ID).toBe('ApiKey_Token');
    expect(findClaimProblem(wide, expected)).toBeUndefined();
    expect(findClaimProblem(wide, { apiKey: API_KEY, userId: 'bob' })).toBeUndefined();
    expect(findClaimProblem(wide, { apiKey: 'another-key', userId: 'bob' })).toBe('jwt subject invalid. expected: the apiKey');
  });

  it.each(['exp', 'iat', 'nbf'] as const)('checks %s is a valid NumericDate when present', (name) => {
    for (const bad of ['1800000000', Number.NaN, -1, Number.POSITIVE_INFINITY, null, true, {}]) {
      expect(findClaimProblem(claims({ [name]: bad as unknown as number }), expected), `${name}: ${String(bad)}`).toBe(
        `jwt ${name} is not a valid NumericDate`,
      );
    }
    expect(findClaimProblem(claims({ [name]: undefined }), expected)).toBeUndefined();
    expect(findClaimProblem(claims({ [name]: 0 }), expected)).toBeUndefined();
    expect(findClaimProblem(claims({ [name]: NOW_S + 0.5 }), expected)).toBeUndefined();
  });

  it('reports the audience first, then the subject, then the grant', () => {
    expect(findClaimProblem(claims({ aud: 'x', sub: 'y', grants: {} }), expected)).toContain('audience');
    expect(findClaimProblem(claims({ sub: 'y', grants: {} }), expected)).toContain('subject');
  });
});

describe('decodeApiRtcToken', () => {
  const nowMs = NOW_S * 1000;

  it('returns exp, iat and jti of a valid token signed with the server code', async () => {
    const clock = new FakeClock();
    const token = await signToken(clock, { expiresIn: 600 });
    const decoded = decodeApiRtcToken(token, expected, clock.now());
    const iat = Math.floor(clock.now() / 1000);
    expect(decoded).toEqual({ exp: iat + 600, iat, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('returns exactly the three fields of a hand-made token, and undefined jti when it is not a string', () => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, claims({ jti: 'abc', extra: 'ignored' }));
    expect(decodeApiRtcToken(token, expected, nowMs)).toEqual({ exp: NOW_S + 60, iat: NOW_S, jti: 'abc' });
    const numericJti = handmade({ alg: 'HS256' }, { ...claims(), jti: 7 });
    expect(decodeApiRtcToken(numericJti, expected, nowMs).jti).toBeUndefined();
  });

  it('accepts a token without exp (it is never renewed on a timer) and without iat', () => {
    const token = handmade({ alg: 'HS256' }, claims({ exp: undefined, iat: undefined }));
    expect(decodeApiRtcToken(token, expected, nowMs)).toEqual({ exp: undefined, iat: undefined, jti: 'j-1' });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { token: 'x' }],
    ['an empty string', ''],
    ['a blank string', '   '],
  ])('%s is INVALID_TOKEN: no token', (_name, value) => {
    const error = thrown(() => decodeApiRtcToken(value, expected, nowMs));
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', field: 'token', retryable: false });
    expect(error.message).toContain('no token');
  });

  it.each([
    ['one segment', 'notajwt'],
    ['two segments', `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify(claims()))}`],
    ['four segments', `${handmade({ alg: 'HS256' }, claims())}.extra`],
    ['five segments (JWE)', 'a.b.c.d.e'],
    ['an empty payload', `${b64url('{"alg":"HS256"}')}..sig`],
    ['garbage base64 in the payload', `${b64url('{"alg":"HS256"}')}.%%%not*base64%%%.sig`],
    ['a payload that is not JSON', handmade({ alg: 'HS256' }, 'this is not json')],
    ['a payload that is JSON but not an object', handmade({ alg: 'HS256' }, '[1,2,3]')],
    ['a header that is not JSON', handmade('not json', claims())],
    ['an empty header', `.${b64url(JSON.stringify(claims()))}.sig`],
  ])('%s is INVALID_TOKEN (not well-formed), with jose\'s error as cause and without the token in the message', (_name, token) => {
    const error = thrown(() => decodeApiRtcToken(token, expected, nowMs));
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', field: 'token', retryable: false });
    expect(error.message).toBe('the token is not a well-formed JWT');
    expect(error.cause).toBeInstanceOf(Error);
    expectNoSecret(error, token);
  });

  it.each([
    ['alg "none" with an empty signature', { alg: 'none', typ: 'JWT' }, ''],
    ['alg "NONE" (case-insensitive)', { alg: 'NONE' }, ''],
    ['alg "None" with a signature', { alg: 'None' }, undefined],
    ['no alg at all', { typ: 'JWT' }, undefined],
    ['an empty alg', { alg: '' }, undefined],
  ])('an unsigned token (%s) is INVALID_TOKEN', (_name, header, signature) => {
    const token = handmade(header, claims(), signature);
    const error = thrown(() => decodeApiRtcToken(token, expected, nowMs));
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', field: 'token' });
    expect(error.message).toContain('unsigned');
    expectNoSecret(error, token);
  });

  it.each([
    ['a number', 5],
    ['a boolean', true],
    ['an object', { name: 'HS256' }],
  ])('an alg that is %s is INVALID_TOKEN', (_name, alg) => {
    const token = handmade({ alg }, claims());
    const error = thrown(() => decodeApiRtcToken(token, expected, nowMs));
    expect(error.code).toBe('INVALID_TOKEN');
  });

  it.each([
    ['another audience', { aud: 'someone-else' }, 'audience'],
    ['another apiKey (sub)', { sub: 'other-key' }, 'subject'],
    ['another user', { grants: { [USER_ID_GRANT]: 'mallory' } }, USER_ID_GRANT],
    ['no user grant', { grants: undefined }, USER_ID_GRANT],
    ['an exp that is a string', { exp: String(NOW_S + 60) }, 'exp'],
    ['a negative iat', { iat: -5 }, 'iat'],
  ])('a token for %s is INVALID_TOKEN naming the claim, without the token in the message', (_name, overrides, problem) => {
    const token = handmade({ alg: 'HS256', typ: 'JWT' }, { ...claims(), ...overrides });
    const error = thrown(() => decodeApiRtcToken(token, expected, nowMs));
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', field: 'token', retryable: false });
    expect(error.message).toContain('not valid for this session');
    expect(error.message).toContain(problem);
    expectNoSecret(error, token);
  });

  it('the signed test tokens for another user or apiKey are refused', () => {
    const clock = new FakeClock();
    expect(thrown(() => decodeApiRtcToken(signTokenNow(clock, { userId: 'bob' }), expected, clock.now())).code).toBe('INVALID_TOKEN');
    expect(thrown(() => decodeApiRtcToken(signTokenNow(clock, { apiKey: 'other' }), expected, clock.now())).code).toBe('INVALID_TOKEN');
  });

  it('an expired token is TOKEN_EXPIRED, at exp exactly and after, on the local clock', () => {
    const clock = new FakeClock();
    const token = signTokenNow(clock, { expiresIn: 60 });
    const exp = Math.floor(clock.now() / 1000) + 60;
    expect(decodeApiRtcToken(token, expected, exp * 1000 - 1).exp).toBe(exp);
    for (const at of [exp * 1000, exp * 1000 + 1, exp * 1000 + 3_600_000]) {
      const error = thrown(() => decodeApiRtcToken(token, expected, at));
      expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', field: 'token', retryable: false });
      expectNoSecret(error, token);
    }
  });

  it('says how old an expired token is by the local clock: a fresh token reading hours old means a clock running ahead', () => {
    const clock = new FakeClock();
    const token = signTokenNow(clock, { expiresIn: 3_600 }); // just signed by the server
    const aheadByTwoHours = clock.now() + 7_200_000;
    expect(thrown(() => decodeApiRtcToken(token, expected, aheadByTwoHours)).message).toBe(
      "the token has already expired by this device's clock, issued 7200 s ago (an old token, or a clock running ahead of the server's)",
    );
  });

  it('an exp beyond the last valid Date is INVALID_TOKEN (not a NumericDate)', () => {
    const token = handmade({ alg: 'HS256' }, claims({ exp: 1e13 }));
    expect(thrown(() => decodeApiRtcToken(token, expected, nowMs))).toMatchObject({ code: 'INVALID_TOKEN', message: expect.stringContaining('exp is not a valid NumericDate') });
  });

  it('a token whose claims are wrong is INVALID_TOKEN even when it has also expired', () => {
    const token = handmade({ alg: 'HS256' }, claims({ sub: 'other', exp: 1 }));
    expect(thrown(() => decodeApiRtcToken(token, expected, nowMs)).code).toBe('INVALID_TOKEN');
  });

  it('does not verify the signature (the browser has no secret)', () => {
    const token = handmade({ alg: 'HS256' }, claims(), 'bm90LWEtcmVhbC1zaWduYXR1cmU');
    expect(decodeApiRtcToken(token, expected, nowMs).exp).toBe(NOW_S + 60);
  });
});

describe('localExpiry', () => {
  const decoded = (exp: number | undefined, iat: number | undefined): DecodedToken => ({ exp, iat, jti: undefined });
  const serverNowS = NOW_S;

  it('is undefined without exp', () => {
    expect(localExpiry(decoded(undefined, serverNowS), serverNowS * 1000)).toBeUndefined();
    expect(localExpiry(decoded(undefined, undefined), serverNowS * 1000)).toBeUndefined();
  });

  it('is exp on the local clock without iat', () => {
    expect(localExpiry(decoded(serverNowS + 3600, undefined), (serverNowS - 600) * 1000)).toBe((serverNowS + 3600) * 1000);
  });

  it('is exp when the clocks agree', () => {
    expect(localExpiry(decoded(serverNowS + 3600, serverNowS), serverNowS * 1000)).toBe((serverNowS + 3600) * 1000);
  });

  it('client clock 10 minutes behind the server: receivedAt + lifetime wins, so renewal is in time', () => {
    const receivedAt = (serverNowS - 600) * 1000;
    const expiry = localExpiry(decoded(serverNowS + 3600, serverNowS), receivedAt);
    expect(expiry).toBe(receivedAt + 3_600_000);
    expect(expiry).toBeLessThan((serverNowS + 3600) * 1000);
  });

  it('client clock 10 minutes ahead of the server: exp wins (renews early, never late)', () => {
    const receivedAt = (serverNowS + 600) * 1000;
    expect(localExpiry(decoded(serverNowS + 3600, serverNowS), receivedAt)).toBe((serverNowS + 3600) * 1000);
  });

  it('a token received late (it travelled for a while) keeps exp as the cap', () => {
    // Received 30 s after it was issued, clocks in sync: 30 s of its lifetime are gone.
    const receivedAt = (serverNowS + 30) * 1000;
    expect(localExpiry(decoded(serverNowS + 60, serverNowS), receivedAt)).toBe((serverNowS + 60) * 1000);
  });

  it('iat after exp (a broken token): exp alone', () => {
    expect(localExpiry(decoded(serverNowS + 60, serverNowS + 120), (serverNowS - 600) * 1000)).toBe((serverNowS + 60) * 1000);
  });

  it('iat equal to exp: a zero lifetime from receipt, capped by exp', () => {
    const receivedAt = (serverNowS - 10) * 1000;
    expect(localExpiry(decoded(serverNowS, serverNowS), receivedAt)).toBe(receivedAt);
  });
});
