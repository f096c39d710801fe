import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { OTHER_API_KEY, TEST_API_KEY, TEST_LOGIN, TEST_LOGIN_USER_ID, TEST_PASSWORD, TEST_SECRET } from '../support/cloud.js';
import { registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { vendorPageToken } from '../support/tokens.js';

const env = setupSdkWithCloud();

describe('the real SDK registers against the local cloud', { timeout: 20_000 }, () => {
  test('anonymous: apiKey:KEY registers with a random id, recorded as an apiKey session', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions());

    const id = session.getId();
    expect(id).toMatch(/^\d+$/);
    expect(env.cloud.registrations).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: id, apiKey: TEST_API_KEY, jti: undefined })]);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: id })]);
    expect(env.cloud.requests.map((request) => [request.path, request.status])).toEqual([
      ['/api/v2/preferredCCS', 200],
      ['/socket.io/v3/socket.io.js', 200],
    ]);

    const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === id);
    await ua.unregister();
    expect(await gone).toMatchObject({ cause: 'client', mode: 'apiKey' });
    expect(env.cloud.sessions()).toEqual([]);
  });

  test('login: apirtc:LOGIN + register({ password }) registers as the login user', async () => {
    const ua = env.userAgent(`apirtc:${TEST_LOGIN}`);
    const session = await ua.register(env.registerOptions({ password: TEST_PASSWORD }));

    expect(session.getId()).toBe(TEST_LOGIN_USER_ID);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'login', channelId: TEST_LOGIN_USER_ID, apiKey: TEST_API_KEY })]);
    expect(env.cloud.requests.map((request) => request.path)).toEqual(
      expect.arrayContaining(['/api/v3/authenticate', '/api/v2/users/me', '/api/v2/enterprises/1/users']),
    );

    // unregister() burns the cloud token first, then closes the socket.
    const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === TEST_LOGIN_USER_ID);
    await ua.unregister();
    await gone;
    expect(env.cloud.requests.map((request) => [request.path, request.status])).toContainEqual(['/api/v2/invalidateToken', 200]);
  });

  test('login: a wrong password is refused with the SDK error code 13 and HTTP 401', async () => {
    const ua = env.userAgent(`apirtc:${TEST_LOGIN}`);
    const failure = await registerFailure(ua.register(env.registerOptions({ password: 'wrong password' })));

    expect(failure.code).toBe(env.apiRTC.ERROR_HTTP);
    expect(failure.code).toBe(13);
    expect(failure.httpCode).toBe(401);
    expect(env.cloud.refusals).toEqual([
      expect.objectContaining({ stage: 'authenticate', mode: 'login', login: TEST_LOGIN, channelId: TEST_LOGIN_USER_ID, reason: 'invalid password' }),
    ]);
    expect(env.cloud.registrations).toEqual([]);
  });

  test('token:CLOUD_TOKEN registers with a cloud token from /api/v3/authenticate (checkToken, users/me)', async () => {
    const answer = await fetch(`${env.cloud.url}/api/v3/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=${encodeURIComponent(TEST_LOGIN)}&password=${encodeURIComponent(TEST_PASSWORD)}`,
    });
    const { token } = (await answer.json()) as { token: string };
    const ua = env.userAgent(`token:${token}`);
    const session = await ua.register(env.registerOptions());

    expect(session.getId()).toBe(TEST_LOGIN_USER_ID);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'login', channelId: TEST_LOGIN_USER_ID })]);
    expect(env.cloud.requests.map((request) => request.path)).toEqual(expect.arrayContaining(['/api/v2/checkToken', '/api/v2/users/me']));
  });

  test('token: with a customer JWT instead of a cloud token is refused (SDK code 0)', async () => {
    const jwt = await env.signToken({ userId: 'alice' });
    const ua = env.userAgent(`token:${jwt}`);
    const failure = await registerFailure(ua.register(env.registerOptions()));
    expect(failure.code).toBe(0);
    expect(env.cloud.requests).toEqual([expect.objectContaining({ path: '/api/v2/checkToken', status: 401 })]);
  });

  test('JWT: a createApiRtcToken token is accepted and the session id is the user id', async () => {
    const token = await env.signToken({ userId: 'alice' });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token }));

    expect(session.getId()).toBe('alice');
    expect(env.cloud.registrations).toEqual([
      expect.objectContaining({ mode: 'jwt', channelId: 'alice', apiKey: TEST_API_KEY, jti: decodeJwt(token).jti }),
    ]);
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test("JWT: a token signed as the vendor's page shows, with jsonwebtoken, is accepted", async () => {
    const token = vendorPageToken(TEST_API_KEY, TEST_SECRET, 'vendor-user');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'vendor-user', token }));

    expect(session.getId()).toBe('vendor-user');
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: 'vendor-user', jti: decodeJwt(token).jti })]);
  });

  test('JWT: unregister then register with a fresh token works on the same UserAgent', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const first = await env.signToken({ userId: 'renewing' });
    await ua.register(env.registerOptions({ id: 'renewing', token: first }));

    const gone = env.cloud.waitFor('disconnect', (record) => record.jti === decodeJwt(first).jti);
    await ua.unregister();
    await gone;
    const second = await env.signToken({ userId: 'renewing' });
    const session = await ua.register(env.registerOptions({ id: 'renewing', token: second }));

    expect(session.getId()).toBe('renewing');
    const jtis = env.cloud.registrations.map((record) => record.jti);
    expect(jtis).toEqual([decodeJwt(first).jti, decodeJwt(second).jti]);
    expect(jtis[0]).not.toBe(jtis[1]);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'renewing', jti: decodeJwt(second).jti })]);
  });

  test('register() on a registered UserAgent is refused by the SDK itself (code 6)', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions());
    const failure = await registerFailure(ua.register(env.registerOptions()));
    expect(failure.code).toBe(6);
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('an unknown apiKey is refused by preferredCCS (401) before any socket', async () => {
    const ua = env.userAgent('apiKey:no-such-key');
    const failure = await registerFailure(ua.register(env.registerOptions()));

    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(env.cloud.requests).toEqual([expect.objectContaining({ path: '/api/v2/preferredCCS', status: 401 })]);
    expect(env.cloud.registrations).toEqual([]);
  });

  test('a token for another apiKey is refused: tokens do not cross enterprises', async () => {
    const token = await env.signToken({ userId: 'alice', apiKey: OTHER_API_KEY });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const failure = await registerFailure(ua.register(env.registerOptions({ id: 'alice', token })));

    expect(failure.message).toContain('access token failure: invalid signature');
    expect(env.cloud.sessions()).toEqual([]);
  });
});
