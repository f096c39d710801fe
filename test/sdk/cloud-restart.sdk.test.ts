/**
 * A cloud restart during a register()'s handshake, with the real SDK: what the page-wide socket layer is
 * left in, why every later register() hangs, and the reset that recovers (docs/sdk-behaviour.md, section 1).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flush } from '../support/fake-clock.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';
import type { UserAgent } from '../support/apirtc-sdk.js';
import { captureSockets, pageLayer, pageSocket, recordPageEvents, resetPageLayer, settling, socketConnected, transportOpen, type PageSocket } from './support.js';

const env = setupSdkWithCloud();
const HANDSHAKE_MS = 300;
let sockets: ReturnType<typeof captureSockets> | undefined;

// Runs before the fixture's cleanup (after-hooks run in reverse): a wedged page has sessions no
// UserAgent can unregister.
afterEach(() => {
  sockets?.restore();
  sockets = undefined;
  resetPageLayer(env.apiRTC);
});

/**
 * register() on a new UserAgent while the cloud holds the socket.io CONNECT for 300 ms; the cloud goes
 * down once the engine.io transport is open (the SDK's socket is then mid-handshake), and register() fails.
 */
async function registerInterruptedByRestart(
  ua: UserAgent = env.userAgent(`apiKey:${TEST_API_KEY}`),
): Promise<{ ua: UserAgent; socket: PageSocket; failure: Awaited<ReturnType<typeof registerFailure>> }> {
  env.cloud.faults.setLatency({ handshake: HANDSHAKE_MS });
  sockets = captureSockets();
  const failing = registerFailure(ua.register(env.registerOptions()));
  const { socket } = await sockets.next();
  await transportOpen(socket);
  await env.cloud.faults.down();
  const failure = await failing;
  env.cloud.faults.setLatency(0);
  return { ua, socket, failure };
}

describe('a cloud restart during the handshake', { timeout: 20_000 }, () => {
  test('the SDK opens its socket with forceNew: no socket.io Manager cache is involved', async () => {
    sockets = captureSockets();
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const registering = ua.register(env.registerOptions());
    const { options } = await sockets.next();
    await registering;
    expect(options).toMatchObject({ forceNew: true, multiplex: false, withCredentials: true });
  });

  test('register() fails, but the page socket keeps reconnecting and comes back as a session no UserAgent owns', async () => {
    const { ua, socket, failure } = await registerInterruptedByRestart();

    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(failure.message).toContain('Channel Connect Error');
    expect(ua.isRegistered()).toBe(false);
    // The page layer still holds the failed register's session and socket, which is still trying.
    const layer = pageLayer(env.apiRTC);
    expect(layer.jsLoaded).toBe(true);
    expect(pageSocket(env.apiRTC)).toBe(socket);
    expect(socket.connected).toBe(false);
    expect(socket.active).toBe(true);
    // The transport closed mid-handshake: socket.io-client fired 'disconnect' on the never-connected socket,
    // and the SDK marked its channel "has been disconnected".
    expect(layer.session?.channel.channelHasBeenDisconnected).toBe(true);

    const ghost = env.cloud.waitFor('registration');
    await env.cloud.faults.up();
    const record = await ghost;
    await socketConnected(socket);
    expect(record.channelId).toBe(layer.session?.apiCCId);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ socketId: record.socketId })]);
    // Nothing can end it through the UserAgent.
    await expect(ua.unregister()).rejects.toMatchObject({ code: env.apiRTC.ERROR_OTHER });
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('a register() on a new UserAgent then never resolves: its socket connects, but counts as a reconnect', async () => {
    const { socket: ghostSocket } = await registerInterruptedByRestart();
    const ghost = env.cloud.waitFor('registration');
    await env.cloud.faults.up();
    const ghostRecord = await ghost;
    await socketConnected(ghostSocket);
    // The transport close during the handshake fired the socket's 'disconnect' (socket.io-client fires it
    // even for a socket that never connected): the SDK marked its channel "has been disconnected".
    expect(pageLayer(env.apiRTC).session?.channel.channelHasBeenDisconnected).toBe(false); // consumed by the ghost's connect

    const ghostGone = env.cloud.waitFor('disconnect', (gone) => gone.socketId === ghostRecord.socketId);
    const page = recordPageEvents();
    const next = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const registered = env.cloud.waitFor('registration');
    const registering = settling(next.register(env.registerOptions()));
    const { socket } = await (sockets as ReturnType<typeof captureSockets>).next();
    await socketConnected(socket);
    const record = await registered;
    expect(await ghostGone).toMatchObject({ cause: 'client', reason: 'client namespace disconnect' });
    await flush();
    page.stop();

    // apiCC.init found the script loaded and re-opened the old session's channel: it disconnected the
    // ghost's socket (which marks the channel "has been disconnected"), and the new socket's connect was
    // then handled as a reconnection: no sessionReady, so register() has nothing to resolve with.
    expect(ghostSocket.connected).toBe(false);
    expect(page.events).toEqual([
      { type: 'channelEvent', channelEvent: 'onChannelDisconnect', detail: 'io client disconnect' },
      { type: 'channelEvent', channelEvent: 'onChannelOpened' },
    ]);
    expect(registering.state).toBe('pending');
    expect(next.isRegistered()).toBe(true);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ socketId: record.socketId })]);
    // The stuck UserAgent cannot be unregistered either (its Session has no id yet): its socket stays.
    await expect(next.unregister()).rejects.toMatchObject({ code: env.apiRTC.ERROR_OTHER });
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('the recipe: the SDK teardown (apiRTC.disconnect) ends the ghost, and a new UserAgent registers', async () => {
    const { socket: ghostSocket } = await registerInterruptedByRestart();
    const ghost = env.cloud.waitFor('registration');
    await env.cloud.faults.up();
    const ghostRecord = await ghost;
    await socketConnected(ghostSocket);

    const ghostGone = env.cloud.waitFor('disconnect', (record) => record.socketId === ghostRecord.socketId);
    resetPageLayer(env.apiRTC);
    expect(pageLayer(env.apiRTC).session).toBeNull();
    expect(pageLayer(env.apiRTC).jsLoaded).toBe(false);
    expect(ghostSocket.active).toBe(false);
    expect(await ghostGone).toMatchObject({ cause: 'client', reason: 'client namespace disconnect' });

    const next = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await next.register(env.registerOptions());
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: session.getId() })]);
    // And it ends normally.
    const socket = pageSocket(env.apiRTC);
    await next.unregister();
    expect(socket?.connected).toBe(false);
  });

  test("a renewal's register() (unregister, then register on the same UserAgent) is left the same way; the recipe recovers", async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions());
    await ua.unregister();
    const { failure, socket } = await registerInterruptedByRestart(ua);
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(ua.isRegistered()).toBe(false);
    expect(socket.active).toBe(true);
    expect(pageLayer(env.apiRTC).session?.channel.channelHasBeenDisconnected).toBe(true);

    const ghost = env.cloud.waitFor('registration');
    await env.cloud.faults.up();
    const ghostRecord = await ghost;
    await socketConnected(socket);
    const ghostGone = env.cloud.waitFor('disconnect', (record) => record.socketId === ghostRecord.socketId);
    resetPageLayer(env.apiRTC);
    await ghostGone;
    const next = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await next.register(env.registerOptions());
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: session.getId() })]);
  });

  test('the recipe also works while the cloud is still down: the reconnecting socket stops for good', async () => {
    const { socket: stale } = await registerInterruptedByRestart();
    resetPageLayer(env.apiRTC);
    expect(stale.active).toBe(false);

    await env.cloud.faults.up();
    const next = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await next.register(env.registerOptions());
    // The stale socket never reached the cloud: exactly one registration, the new one.
    expect(env.cloud.registrations).toEqual([expect.objectContaining({ channelId: session.getId() })]);
    expect(env.cloud.sessions()).toHaveLength(1);
    expect(stale.connected).toBe(false);
  });
});
