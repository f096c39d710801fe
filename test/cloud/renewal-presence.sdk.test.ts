/**
 * What another user sees of a JWT renewal: the engine re-registers alice on a fresh token, and bob (a raw
 * socket.io peer subscribed to the default group) gets the presence messages the cloud sends for it.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SessionEngine } from '../../src/core/engine/store.js';
import { loadApiRtc } from '../support/apirtc-sdk.js';
import { connectOk, messagesOf, nextMessage } from '../support/ccs-client.js';
import { setupLocalCloud, TEST_API_KEY, waitForNoSessions } from '../support/cloud.js';

const fixture = setupLocalCloud();
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  await loadApiRtc();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await waitForNoSessions(fixture.cloud);
});

describe('a renewal, seen by another user', { timeout: 20_000 }, () => {
  test('bob sees alice go offline and come back online: the renewal is a blip in presence', async () => {
    const bob = await connectOk(fixture.cloud, {
      channelId: 'bob',
      apiKey: TEST_API_KEY,
      token: await fixture.signToken({ userId: 'bob' }),
      presenceGroup: '["default"]',
      subscribeToPresenceGroup: '["default"]',
    });
    cleanups.push(() => void bob.close());
    const alice = new SessionEngine({
      auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'alice', getToken: () => fixture.signToken({ userId: 'alice' }) },
      cloudUrl: fixture.cloud.url,
      registerTimeoutMs: 5_000,
    });
    cleanups.push(() => alice.unregister().catch(() => undefined));
    await alice.register();
    await nextMessage(bob, (message) => message.type === 'updatePresence' && message.state === 'online');
    await alice.renew();
    // Each registration also sends its userData (setUserData): an 'online' again. The transitions are what counts.
    const transitions = () =>
      messagesOf(bob)
        .filter((message) => message.type === 'updatePresence')
        .map((message) => `${String(message.state)} ${(message.connectedUsersList as string[]).join()}`)
        .filter((entry, index, all) => entry !== all[index - 1]);
    await expect.poll(transitions, { interval: 10 }).toEqual(['online alice', 'offline alice', 'online alice']);
    expect(fixture.cloud.sessions({ channelId: 'alice' })).toHaveLength(1);
  });
});
