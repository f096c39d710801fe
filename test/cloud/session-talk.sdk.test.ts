import { decodeJwt } from 'jose';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import { connectOk, nextMessage } from '../support/ccs-client.js';
import { STRICT_API_KEY, STRICT_SECRET, TEST_API_KEY } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';
import { signClaims, vendorClaims } from '../support/tokens.js';

const env = setupSdkWithCloud();
const peers: Socket[] = [];

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

/** A second user: a raw socket.io client connecting as the SDK does (one SDK UserAgent per page). */
async function peer(channelId: string, apiKey = TEST_API_KEY, secret?: string): Promise<Socket> {
  const token = secret ? await signClaims(vendorClaims(apiKey, channelId, env.cloud.now(), 600), secret) : await env.signToken({ userId: channelId, apiKey });
  const socket = await connectOk(env.cloud, {
    channelId,
    apiKey,
    token,
    presenceGroup: '["default"]',
    subscribeToPresenceGroup: '["default"]',
    userData: JSON.stringify({ nickname: `${channelId} (raw peer)` }),
  });
  peers.push(socket);
  return socket;
}

/** `session.getApzToken()`: the SDK has it, its type declarations do not. */
function apzToken(session: unknown): string | null {
  return (session as { getApzToken(): string | null }).getApzToken();
}

interface ContactLike {
  getId(): string;
  getUserData(): { get?(key: string): unknown } & Record<string, unknown>;
}
interface ContactListUpdate {
  joinedGroup: Record<string, ContactLike[]>;
  leftGroup: Record<string, ContactLike[]>;
}

interface SessionEvents {
  on(event: 'contactListUpdate', listener: (update: ContactListUpdate) => void): unknown;
  removeListener(event: 'contactListUpdate', listener: (update: ContactListUpdate) => void): unknown;
}

/**
 * The next contactListUpdate passing `predicate`. Its own listener, kept until it matches: the SDK's emitter
 * (EventEmitter of wolfy87) flushes stored updates into the first listener only.
 */
function contactUpdate(session: unknown, predicate: (update: ContactListUpdate) => boolean, timeoutMs = 10_000): Promise<ContactListUpdate> {
  const target = session as SessionEvents;
  return new Promise((resolve, reject) => {
    const listener = (update: ContactListUpdate) => {
      if (!predicate(update)) return;
      clearTimeout(timer);
      target.removeListener('contactListUpdate', listener);
      resolve(update);
    };
    const timer = setTimeout(() => {
      target.removeListener('contactListUpdate', listener);
      reject(new Error(`no matching contactListUpdate within ${timeoutMs} ms`));
    }, timeoutMs);
    target.on('contactListUpdate', listener);
  });
}

describe('the sessionId message and the JWTApzToken', { timeout: 20_000 }, () => {
  test('apzToken(session) returns the token the cloud issued to this session', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    const live = env.cloud.sessions({ channelId: 'alice' })[0];
    // The sessionId message may come just after 'connect' (register() resolves on connect).
    await expect.poll(() => apzToken(session), { interval: 10 }).not.toBeNull();
    const claims = decodeJwt(String(apzToken(session)));
    expect(claims).toMatchObject({ sub: 'alice', aud: 'apiRTC-cloud-session', apiKey: TEST_API_KEY, sessionId: live?.sessionId });
  });

  test('a non-secure apiKey: preferredCCS says secure: false and no REST call carries the token', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    await expect.poll(() => apzToken(session), { interval: 10 }).not.toBeNull();
    await session.getOrCreateConversation('plain-room').join();
    const conversation = env.cloud.requests.find((request) => request.path === '/api/v2/conversation');
    expect(conversation).toMatchObject({ bearer: 'none' });
  });
  test('secure apiKey: the SDK sends its JWTApzToken as a Bearer on REST calls; after unregister() it sends the stale one', async () => {
    const token = await signClaims(vendorClaims(STRICT_API_KEY, 'alice', env.cloud.now(), 600), STRICT_SECRET);
    const ua = env.userAgent(`apiKey:${STRICT_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token }));
    await expect.poll(() => apzToken(session), { interval: 10 }).not.toBeNull();
    env.cloud.clearRecords();
    // Any REST call of the SDK's: join() posts /api/v2/conversation. (A name of its own: the SDK keeps a
    // conversation joined page-wide after unregister(), and join() of a joined one makes no REST call.)
    await session.getOrCreateConversation('secure-room').join();
    expect(env.cloud.requests).toContainEqual(expect.objectContaining({ method: 'POST', path: '/api/v2/conversation', bearer: 'apz' }));

    const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === 'alice');
    await ua.unregister();
    await gone;
    env.cloud.clearRecords();
    // The SDK's REST singleton keeps the token: the next registration's preferredCCS carries it, stale now.
    const next = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await next.register(env.registerOptions());
    expect(env.cloud.requests[0]).toMatchObject({ path: '/api/v2/preferredCCS', status: 200, bearer: 'stale-apz' });
  });

});

describe('presence: updatePresence for the default group', { timeout: 20_000 }, () => {
  test('session.getContacts() shows a user already online; a user leaving is reported after contactDisconnectionDelay', async () => {
    const bob = await peer('bob');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    // The SDK reports a contact offline only contactDisconnectionDelay ms (default 10 000) after the cloud said so.
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }), contactDisconnectionDelay: 50 }));
    await expect.poll(() => Object.keys(session.getContacts('default')), { interval: 10 }).toContain('bob');
    const contact = session.getContact('bob') as unknown as ContactLike;
    expect(contact.getUserData()).toMatchObject({ nickname: 'bob (raw peer)' });

    const left = contactUpdate(session, (update) => (update.leftGroup.default ?? []).some((member) => member.getId() === 'bob'));
    bob.close();
    expect((await left).leftGroup.default?.map((member) => member.getId())).toEqual(['bob']);
  });

  test('a user coming online later is reported joining; the raw peer sees the SDK user online with its userData', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    const joined = contactUpdate(session, (update) => (update.joinedGroup.default ?? []).some((member) => member.getId() === 'carol'));
    const carol = await peer('carol');
    const seen = nextMessage(carol, (message) => message.type === 'updatePresence');
    await joined;
    // carol subscribed at connect: her first presence message lists alice, with the SDK's own userData.
    expect(await seen).toMatchObject({
      type: 'updatePresence',
      group: 'default',
      state: 'online',
      connectedUsersList: ['alice'],
      connectedUsersListWithStatus: [{ userId: 'alice', userData: expect.objectContaining({ apiRTCVersion: '5.0.35' }) }],
    });
  });

  test('presence does not cross apiKeys', async () => {
    await peer('mallory', STRICT_API_KEY, STRICT_SECRET);
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    await expect.poll(() => apzToken(session), { interval: 10 }).not.toBeNull();
    expect(env.cloud.sessions().map((live) => live.channelId).sort()).toEqual(['alice', 'mallory']);
    // Contacts stay in the page's catalog once seen (bob, carol above); mallory, of another apiKey, never appears.
    expect(Object.keys(session.getContacts('default'))).not.toContain('mallory');
  });
});
