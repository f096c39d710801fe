import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { findClaimProblem, type ApiRtcClaims } from '../../src/core/jwt.js';
import {
  APIKEY_WIDE_USER_ID,
  ApiRtcAuthError,
  createApiRtcToken,
  DEFAULT_EXPIRES_IN,
  DEFAULT_MAX_EXPIRES_IN,
  type CreateApiRtcTokenOptions,
} from '../../src/server/index.js';
import { vendorClaims, UUID } from './claims.js';

const apiKey = 'myDemoApiKey';
const secret = 'a-secret-that-must-never-leak-7f3c';
const key = new TextEncoder().encode(secret);
const userId = 'alice-42';
/** A fixed clock with a sub-second part: iat must be floored. */
const NOW_MS = 1_760_000_000_789;
const NOW_S = 1_760_000_000;
const now = (): number => NOW_MS;

function options(overrides: Partial<Record<keyof CreateApiRtcTokenOptions, unknown>> = {}): CreateApiRtcTokenOptions {
  return { apiKey, secret, userId, now, ...overrides } as CreateApiRtcTokenOptions;
}

async function verify(token: string, verifyKey: Uint8Array = key) {
  return jwtVerify<ApiRtcClaims>(token, verifyKey, {
    algorithms: ['HS256'],
    audience: 'apiRTC',
    subject: apiKey,
    currentDate: new Date(NOW_MS),
  });
}

async function expectInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error: unknown = await promise.then(
    () => expect.fail(`expected INVALID_CONFIG for ${field}`),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiRtcAuthError);
  const authError = error as ApiRtcAuthError;
  expect({ code: authError.code, field: authError.field, retryable: authError.retryable }).toEqual({
    code: 'INVALID_CONFIG',
    field,
    retryable: false,
  });
  expect(authError.message).not.toContain(secret);
}

describe('createApiRtcToken', () => {
  it('signs the header exactly as the vendor: HS256, typ JWT', async () => {
    const token = await createApiRtcToken(options());
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect((await verify(token)).protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('carries exactly the vendor claims, verified with the secret', async () => {
    const token = await createApiRtcToken(options());
    const { payload } = await verify(token);
    expect(payload).toEqual(vendorClaims(apiKey, userId, NOW_S, 3600));
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'grants', 'iat', 'jti', 'sub']);
    expect(findClaimProblem(payload, { apiKey, userId })).toBeUndefined();
  });

  it('does not verify with another secret', async () => {
    const token = await createApiRtcToken(options());
    await expect(verify(token, new TextEncoder().encode(`${secret}x`))).rejects.toThrow(/signature/);
  });

  it('gives every token its own uuid jti', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => createApiRtcToken(options())));
    const jtis = await Promise.all(tokens.map(async (token) => (await verify(token)).payload.jti));
    for (const jti of jtis) expect(jti).toMatch(UUID);
    expect(new Set(jtis).size).toBe(tokens.length);
  });

  it('takes iat and exp from the injected clock, and Date.now by default', async () => {
    const custom = await verify(await createApiRtcToken(options({ expiresIn: 600 })));
    expect(custom.payload).toMatchObject({ iat: NOW_S, exp: NOW_S + 600 });

    const before = Math.floor(Date.now() / 1000);
    const token = await createApiRtcToken(options({ now: undefined }));
    const after = Math.floor(Date.now() / 1000);
    const { payload } = await jwtVerify(token, key);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
    expect(payload.exp).toBe((payload.iat ?? 0) + DEFAULT_EXPIRES_IN);
  });

  it('defaults expiresIn to 3600 s and maxExpiresIn to 86400 s', async () => {
    expect(DEFAULT_EXPIRES_IN).toBe(3600);
    expect(DEFAULT_MAX_EXPIRES_IN).toBe(86400);
    const { payload } = await verify(await createApiRtcToken(options()));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    const longest = await verify(await createApiRtcToken(options({ expiresIn: 86400 })));
    expect(longest.payload.exp).toBe(NOW_S + 86400);
  });

  it('rounds a fractional expiresIn up to a whole second', async () => {
    const { payload } = await verify(await createApiRtcToken(options({ expiresIn: 0.25 })));
    expect(payload.exp).toBe(NOW_S + 1);
  });

  it('allows a longer token only when maxExpiresIn is raised', async () => {
    const week = 7 * 86400;
    await expectInvalid(createApiRtcToken(options({ expiresIn: week })), 'expiresIn');
    await expectInvalid(createApiRtcToken(options({ expiresIn: 86401 })), 'expiresIn');
    const { payload } = await verify(await createApiRtcToken(options({ expiresIn: week, maxExpiresIn: week })));
    expect(payload.exp).toBe(NOW_S + week);
    await expectInvalid(createApiRtcToken(options({ expiresIn: 601, maxExpiresIn: 600 })), 'expiresIn');
  });

  it('lowers the default lifetime to a lower maxExpiresIn instead of failing on it', async () => {
    const { payload } = await verify(await createApiRtcToken(options({ maxExpiresIn: 300 })));
    expect(payload.exp).toBe(NOW_S + 300);
  });

  it('signs with a Uint8Array secret', async () => {
    const token = await createApiRtcToken(options({ secret: new TextEncoder().encode(secret) }));
    expect((await verify(token)).payload.sub).toBe(apiKey);
    const buffer = await createApiRtcToken(options({ secret: Buffer.from(secret) }));
    expect((await verify(buffer)).payload.sub).toBe(apiKey);
  });

  it('keeps the user id exactly as given (no trimming, no case change)', async () => {
    const { payload } = await verify(await createApiRtcToken(options({ userId: 'Bob.Smith_7@Example-Corp' })));
    expect(payload.grants).toEqual({ apiRTC_UserAgent_Id: 'Bob.Smith_7@Example-Corp' });
  });

  it("signs the apiKey-wide token on purpose, with scope 'apiKey' and no userId: grant ApiKey_Token", async () => {
    expect(APIKEY_WIDE_USER_ID).toBe('ApiKey_Token');
    const token = await createApiRtcToken({ apiKey, secret, scope: 'apiKey', expiresIn: 300, now });
    const { payload } = await verify(token);
    expect(payload).toEqual(vendorClaims(apiKey, 'ApiKey_Token', NOW_S, 300));
  });

  it("signs a per-user token with scope 'user', as without scope", async () => {
    const { payload } = await verify(await createApiRtcToken(options({ scope: 'user' })));
    expect(payload.grants).toEqual({ apiRTC_UserAgent_Id: userId });
  });

  describe('refuses bad input with INVALID_CONFIG naming the field', () => {
    const cases: Array<[string, Partial<Record<keyof CreateApiRtcTokenOptions, unknown>>, string]> = [
      ['missing apiKey', { apiKey: undefined }, 'apiKey'],
      ['empty apiKey', { apiKey: '' }, 'apiKey'],
      ['blank apiKey', { apiKey: '   ' }, 'apiKey'],
      ['leading whitespace in apiKey', { apiKey: ` ${apiKey}` }, 'apiKey'],
      ['trailing newline in apiKey', { apiKey: `${apiKey}\n` }, 'apiKey'],
      ['apiKey with inner whitespace', { apiKey: 'my api key' }, 'apiKey'],
      ['apiKey with a tab', { apiKey: 'my\tkey' }, 'apiKey'],
      ['apiKey with ":"', { apiKey: 'apiKey:abc' }, 'apiKey'],
      ['apiKey not a string', { apiKey: 42 }, 'apiKey'],
      ['missing userId', { userId: undefined }, 'userId'],
      ['empty userId', { userId: '' }, 'userId'],
      ['blank userId', { userId: ' \t ' }, 'userId'],
      ['whitespace-padded userId', { userId: ' alice' }, 'userId'],
      ['userId not a string', { userId: 7 }, 'userId'],
      // The SDK sends the id unescaped in its handshake URL; the browser side refuses these ids too.
      ['userId with a space', { userId: 'alice smith' }, 'userId'],
      ['userId with "+"', { userId: 'a+b@x.example' }, 'userId'],
      ['userId with "&" and "="', { userId: 'bob&apiKey=other' }, 'userId'],
      ['userId with a non-ASCII letter', { userId: 'é' }, 'userId'],
      // A wide token is never signed by accident: the grant value as a user id is not the opt-in.
      ['userId "ApiKey_Token" without scope', { userId: 'ApiKey_Token' }, 'userId'],
      ['userId "ApiKey_Token" with scope "user"', { userId: 'ApiKey_Token', scope: 'user' }, 'userId'],
      ["scope 'apiKey' with a userId", { scope: 'apiKey' }, 'userId'],
      ["scope 'apiKey' with userId ApiKey_Token", { scope: 'apiKey', userId: 'ApiKey_Token' }, 'userId'],
      ['an unknown scope', { scope: 'everyone' }, 'scope'],
      ['scope not a string', { scope: true }, 'scope'],
      ['missing secret', { secret: undefined }, 'secret'],
      ['empty secret string', { secret: '' }, 'secret'],
      ['empty secret Uint8Array', { secret: new Uint8Array(0) }, 'secret'],
      ['secret of another type', { secret: 12345 }, 'secret'],
      ['expiresIn 0', { expiresIn: 0 }, 'expiresIn'],
      ['negative expiresIn', { expiresIn: -60 }, 'expiresIn'],
      ['NaN expiresIn', { expiresIn: Number.NaN }, 'expiresIn'],
      ['Infinity expiresIn', { expiresIn: Number.POSITIVE_INFINITY }, 'expiresIn'],
      ['expiresIn as a string', { expiresIn: '3600' }, 'expiresIn'],
      ['expiresIn null', { expiresIn: null }, 'expiresIn'],
      ['expiresIn above the default maximum', { expiresIn: DEFAULT_MAX_EXPIRES_IN + 1 }, 'expiresIn'],
      ['maxExpiresIn 0', { maxExpiresIn: 0 }, 'maxExpiresIn'],
      ['negative maxExpiresIn', { maxExpiresIn: -1 }, 'maxExpiresIn'],
      ['NaN maxExpiresIn', { maxExpiresIn: Number.NaN }, 'maxExpiresIn'],
      ['Infinity maxExpiresIn', { maxExpiresIn: Number.POSITIVE_INFINITY }, 'maxExpiresIn'],
      ['maxExpiresIn as a string', { maxExpiresIn: '86400' }, 'maxExpiresIn'],
      ['now not a function', { now: 123 }, 'now'],
      ['now returning NaN', { now: () => Number.NaN }, 'now'],
      ['now returning a negative time', { now: () => -1 }, 'now'],
    ];
    it.each(cases)('%s', async (_name, overrides, field) => {
      await expectInvalid(createApiRtcToken(options(overrides)), field);
    });

    it('no options at all', async () => {
      await expectInvalid(createApiRtcToken(undefined as unknown as CreateApiRtcTokenOptions), 'options');
    });
  });
});

describe('interop with the jsonwebtoken package (the vendor page)', () => {
  it("accepts a jsonwebtoken-signed token in the vendor's shape: jose verifies it and its claims pass", async () => {
    const vendorToken = jwt.sign({ grants: { apiRTC_UserAgent_Id: userId } }, secret, {
      algorithm: 'HS256',
      audience: 'apiRTC',
      subject: apiKey,
      expiresIn: 3600,
      jwtid: randomUUID(),
    });
    const { payload, protectedHeader } = await jwtVerify<ApiRtcClaims>(vendorToken, key, {
      algorithms: ['HS256'],
      audience: 'apiRTC',
      subject: apiKey,
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(findClaimProblem(payload, { apiKey, userId })).toBeUndefined();
    expect(payload.jti).toMatch(UUID);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);

    // Same header and the same claim names as ours: the two are interchangeable.
    const ours = await verify(await createApiRtcToken(options()));
    expect(ours.protectedHeader).toEqual(protectedHeader);
    expect(Object.keys(ours.payload).sort()).toEqual(Object.keys(payload).sort());
  });

  it('verifies our token with jsonwebtoken.verify and the secret', async () => {
    const token = await createApiRtcToken(options());
    const payload = jwt.verify(token, secret, {
      algorithms: ['HS256'],
      audience: 'apiRTC',
      subject: apiKey,
      clockTimestamp: NOW_S + 10,
    });
    expect(payload).toEqual(vendorClaims(apiKey, userId, NOW_S, 3600));
    const { header } = jwt.decode(token, { complete: true }) ?? expect.fail('jsonwebtoken could not decode our token');
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(() => jwt.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: NOW_S + 3600 })).toThrow(/jwt expired/);
    expect(() => jwt.verify(token, 'wrong', { algorithms: ['HS256'], clockTimestamp: NOW_S })).toThrow(/invalid signature/);
  });

  it('verifies a token signed with a Uint8Array secret with jsonwebtoken and a Buffer of the same bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const token = await createApiRtcToken(options({ secret: bytes }));
    const payload = jwt.verify(token, Buffer.from(bytes), { algorithms: ['HS256'], clockTimestamp: NOW_S });
    expect(payload).toMatchObject({ sub: apiKey, aud: 'apiRTC' });
  });
});
