/**
 * Login mode's unregister() with the real SDK: the cloud token is burnt first, a failure there keeps the
 * socket open, and `invalidateUserToken: false` closes it (docs/sdk-behaviour.md, section 4).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { TEST_LOGIN, TEST_LOGIN_USER_ID, TEST_PASSWORD } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';
import { pageSocket, socketClosed, storedSdkValue, type PageSocket } from './support.js';

const env = setupSdkWithCloud();
const INVALIDATE = '/api/v2/invalidateToken';

beforeEach(() => {
  sessionStorage.clear();
});

// Before the fixture's cleanup (after-hooks run in reverse), so that its unregister() can succeed.
afterEach(() => {
  env.cloud.faults.failRest(false);
});

async function loggedIn() {
  const ua = env.userAgent(`apirtc:${TEST_LOGIN}`);
  const session = await ua.register(env.registerOptions({ password: TEST_PASSWORD }));
  const socket = pageSocket(env.apiRTC) as PageSocket;
  return { ua, session, socket };
}

function invalidateCalls() {
  return env.cloud.requests.filter((request) => request.path === INVALIDATE);
}

describe("login mode's unregister()", { timeout: 20_000 }, () => {
  test('burns the cloud token first (POST invalidateToken), then closes the socket; the channel id is not kept', async () => {
    const { ua, socket } = await loggedIn();
    const closed = socketClosed(socket);
    await ua.unregister();
    expect(await closed).toBe('closed');
    expect(invalidateCalls()).toEqual([expect.objectContaining({ method: 'POST', status: 200 })]);
    expect(env.cloud.sessions()).toEqual([]);
    // The token branch sets invalidateApiCCId: nothing for a later anonymous register() to pick up.
    expect(storedSdkValue('apiCCId')).toBeNull();
  });

  test('when invalidateToken fails, unregister() rejects and the socket stays open', async () => {
    const { ua, session, socket } = await loggedIn();
    env.cloud.faults.failRest({ path: INVALIDATE, status: 503 });

    await expect(ua.unregister()).rejects.toMatchObject({ code: env.apiRTC.ERROR_OTHER });

    expect(invalidateCalls()).toEqual([expect.objectContaining({ status: 503 })]); // HTTP errors are not retried
    expect(ua.isRegistered()).toBe(true);
    expect(session.getId()).toBe(TEST_LOGIN_USER_ID);
    expect(socket.connected).toBe(true);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: TEST_LOGIN_USER_ID, mode: 'login' })]);
  });

  test('then unregister({ invalidateUserToken: false, unregister: true }) closes it, without calling invalidateToken again', async () => {
    const { ua, socket } = await loggedIn();
    env.cloud.faults.failRest({ path: INVALIDATE, status: 503 });
    await expect(ua.unregister()).rejects.toBeDefined();

    const closed = socketClosed(socket);
    await ua.unregister({ invalidateUserToken: false, unregister: true });
    expect(await closed).toBe('closed');

    expect(ua.isRegistered()).toBe(false);
    expect(env.cloud.sessions()).toEqual([]);
    expect(invalidateCalls()).toHaveLength(1);
    // Without the token branch the SDK keeps the channel id (the login user id) for the next register().
    expect(storedSdkValue('apiCCId')?.value).toBe(TEST_LOGIN_USER_ID);
  });

  test('unregister({}) skips invalidateToken too: the SDK only burns the token when invalidateUserToken is present and true', async () => {
    const { ua, socket } = await loggedIn();
    const closed = socketClosed(socket);
    await ua.unregister({});
    expect(await closed).toBe('closed');
    expect(invalidateCalls()).toEqual([]);
    expect(env.cloud.sessions()).toEqual([]);
  });
});
