/**
 * Where the real SDK remembers the last channel id, and how an anonymous registration gets a fresh one
 * (docs/sdk-behaviour.md, section 5).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { OTHER_API_KEY, TEST_API_KEY } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';
import { storedSdkValue } from './support.js';

const env = setupSdkWithCloud();
/** The SDK's own random ids: String(1e5 + Math.floor(9e5 * Math.random())). */
const SDK_RANDOM_ID = /^[1-9]\d{5}$/;
/** Another apiKey in sessionStorage: the SDK draws `Math.floor(1000001 * Math.random())`, 0 to 1,000,000. */
const SDK_RANDOM_ID_OTHER_KEY = /^(\d{1,6}|1000000)$/;

beforeEach(() => {
  sessionStorage.clear();
});

/** A JWT session for `userId`, ended with unregister(): what a signed-out user leaves behind. */
async function namedSessionEnded(userId: string): Promise<void> {
  const token = await env.signToken({ userId });
  const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
  await ua.register(env.registerOptions({ id: userId, token }));
  // unregister() resolves before the cloud has seen the socket close (docs/sdk-behaviour.md, section 2).
  const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === userId);
  await ua.unregister();
  await gone;
}

describe('the last channel id', { timeout: 20_000 }, () => {
  test('unregister() keeps it in sessionStorage (apiCCId, apiKey) for 5 s', async () => {
    const before = Date.now();
    await namedSessionEnded('alice');
    const id = storedSdkValue('apiCCId');
    expect(id?.value).toBe('alice');
    expect(storedSdkValue('apiKey')?.value).toBe(TEST_API_KEY);
    const keptFor = new Date(id?.expiresAt ?? 0).getTime() - before;
    expect(keptFor).toBeGreaterThanOrEqual(5000);
    expect(keptFor).toBeLessThan(60_000);
  });

  test('an anonymous register() soon after comes up under that id, on the same apiKey', async () => {
    await namedSessionEnded('alice');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions());
    expect(session.getId()).toBe('alice');
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'alice', mode: 'apiKey' })]);
  });

  test('on another apiKey the SDK draws a new id', async () => {
    await namedSessionEnded('alice');
    const ua = env.userAgent(`apiKey:${OTHER_API_KEY}`);
    const session = await ua.register(env.registerOptions());
    expect(session.getId()).toMatch(SDK_RANDOM_ID_OTHER_KEY);
  });

  test('removing apiCCId from sessionStorage before register() gives the SDK a fresh random id', async () => {
    await namedSessionEnded('alice');
    sessionStorage.removeItem('apiCCId');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions());
    expect(session.getId()).toMatch(SDK_RANDOM_ID);
    expect(session.getId()).not.toBe('alice');
  });

  test('register({ id }) with an id of the engine\'s own is used as is (apiKey mode does not convert ids)', async () => {
    await namedSessionEnded('alice');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'anon-4f1c9a' }));
    expect(session.getId()).toBe('anon-4f1c9a');
  });

  test('idPersistenceTimeout: 0 keeps the id for an hour, not for no time (0 is falsy for the SDK)', async () => {
    const before = Date.now();
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: 'alice', idPersistenceTimeout: 0 }));
    await ua.unregister();
    const keptFor = new Date(storedSdkValue('apiCCId')?.expiresAt ?? 0).getTime() - before;
    expect(keptFor).toBeGreaterThanOrEqual(3_600_000);
  });
});
