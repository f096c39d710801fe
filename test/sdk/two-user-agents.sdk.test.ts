/**
 * Two UserAgents on one page, with the real SDK: the second one's register() takes over the page socket,
 * and neither UserAgent can tell from its own state or events (docs/sdk-behaviour.md, section 6).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { UserAgent } from '../support/apirtc-sdk.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { flush } from '../support/fake-clock.js';
import { ccsStatus, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { captureSockets, pageSocket, resetPageLayer, settling, socketConnected, type PageSocket } from './support.js';

const env = setupSdkWithCloud();

// Before the fixture's cleanup (after-hooks run in reverse): a second UserAgent's stuck register leaves a
// session that neither UserAgent can end.
afterEach(() => {
  resetPageLayer(env.apiRTC);
});

function statuses(ua: UserAgent): string[] {
  const log: string[] = [];
  ua.on('ccsConnectionStatus', (event: { status: string }) => log.push(event.status));
  return log;
}

describe('a second UserAgent on the page', { timeout: 20_000 }, () => {
  test("its register() replaces the first one's socket and never resolves; the first still says registered", async () => {
    const first = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const firstSession = await first.register(env.registerOptions({ id: 'alice' }));
    const firstSocket = pageSocket(env.apiRTC);
    const firstStatuses = statuses(first);
    const sessionEvents: string[] = [];
    firstSession.on('disconnect', (payload: { detail?: { event?: unknown } }) => sessionEvents.push(`disconnect:${String(payload.detail?.event)}`));

    const sockets = captureSockets();
    try {
      const second = env.userAgent(`apiKey:${TEST_API_KEY}`);
      const secondStatuses = statuses(second);
      const aliceGone = env.cloud.waitFor('disconnect', (record) => record.channelId === 'alice');
      const bobThere = env.cloud.waitFor('registration', (record) => record.channelId === 'bob');
      const registering = settling(second.register(env.registerOptions({ id: 'bob' })));
      const { socket } = await sockets.next();
      await socketConnected(socket);
      expect(await aliceGone).toMatchObject({ cause: 'client', reason: 'client namespace disconnect' });
      await bobThere;
      await flush();

      expect(firstSocket?.connected).toBe(false);
      expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'bob' })]);
      expect(registering.state).toBe('pending');
      expect(second.isRegistered()).toBe(true);
      // The first UserAgent sees what looks like a reconnect (its listeners are page-wide: they hear the
      // second one's socket) and keeps its Session, now without a socket of its own.
      expect(first.isRegistered()).toBe(true);
      expect(firstSession.getId()).toBe('alice');
      expect(firstStatuses).toEqual(['disconnected', 'connected']);
      expect(secondStatuses).toEqual(['disconnected', 'connected']);
      expect(sessionEvents).toEqual(['disconnect:io client disconnect']);
    } finally {
      sockets.restore();
    }
  });

  test("the first one's unregister() then ends the second one's socket; the second cannot unregister", async () => {
    const first = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await first.register(env.registerOptions({ id: 'alice' }));
    const sockets = captureSockets();
    try {
      const second = env.userAgent(`apiKey:${TEST_API_KEY}`);
      const aliceGone = env.cloud.waitFor('disconnect', (record) => record.channelId === 'alice');
      const bobThere = env.cloud.waitFor('registration', (record) => record.channelId === 'bob');
      void second.register(env.registerOptions({ id: 'bob' })).catch(() => undefined);
      const { socket } = await sockets.next();
      await socketConnected(socket);
      await bobThere;
      await aliceGone;

      const bobGone = env.cloud.waitFor('disconnect', (record) => record.channelId === 'bob');
      await first.unregister();
      expect(await bobGone).toMatchObject({ cause: 'client' });
      expect(socket.connected).toBe(false);
      expect(env.cloud.sessions()).toEqual([]);
      await expect(second.unregister()).rejects.toMatchObject({ code: env.apiRTC.ERROR_OTHER });
    } finally {
      sockets.restore();
    }
  });

  test('two register() calls at once both resolve, with the same id, and one socket is orphaned on the cloud', async () => {
    const sockets = captureSockets();
    const opened: PageSocket[] = [];
    try {
      const alice = env.userAgent(`apiKey:${TEST_API_KEY}`);
      const bob = env.userAgent(`apiKey:${TEST_API_KEY}`);
      // A register() resolves on the socket's connect, client side: wait for the cloud's own record of both.
      const bothOnTheCloud = Promise.all(['alice', 'bob'].map((id) => env.cloud.waitFor('registration', (record) => record.channelId === id)));
      const [aliceSession, bobSession] = await Promise.all([
        alice.register(env.registerOptions({ id: 'alice' })),
        bob.register(env.registerOptions({ id: 'bob' })),
      ]);
      opened.push((await sockets.next()).socket, (await sockets.next()).socket);

      // Each script load built its own ApiCCSession; the last one is apiCC.session and both Sessions report it.
      const pageId = aliceSession.getId();
      expect(bobSession.getId()).toBe(pageId);
      expect(['alice', 'bob']).toContain(pageId);
      await bothOnTheCloud;
      expect(env.cloud.sessions().map((session) => session.channelId).sort()).toEqual(['alice', 'bob']);
      const reachable = pageSocket(env.apiRTC);
      const orphan = opened.find((socket) => socket !== reachable);
      expect(orphan?.connected).toBe(true);

      // The page teardown only reaches apiCC.session's socket: the other one stays on the cloud.
      const reachableGone = env.cloud.waitFor('disconnect', (record) => record.channelId === pageId);
      resetPageLayer(env.apiRTC);
      await reachableGone;
      expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: pageId === 'alice' ? 'bob' : 'alice' })]);
    } finally {
      sockets.restore();
      for (const socket of opened) {
        try {
          socket.disconnect();
        } catch {
          // The SDK's disconnect handler reads apiCC.session, which the teardown has set to null; the
          // socket has sent its DISCONNECT and closed before that handler runs.
        }
      }
    }
  });

  test('an unregistered UserAgent still hears ccsConnectionStatus of every later session of the page', async () => {
    const old = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await old.register(env.registerOptions());
    await old.unregister();
    const heard = ccsStatus(old, 'connected');

    const current = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await current.register(env.registerOptions());
    await heard;
    expect(old.isRegistered()).toBe(false);
  });
});
