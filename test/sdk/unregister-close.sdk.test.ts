/**
 * Back-to-back re-registrations with the real SDK: ua.unregister() resolves before the cloud has seen the
 * old socket close; waiting for the socket's transport to close tells when it has (docs/sdk-behaviour.md, section 2).
 */
import { describe, expect, test } from 'vitest';
import { TEST_API_KEY } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';
import { pageLayer, pageSocket, socketClosed, upgraded, type PageSocket } from './support.js';

const env = setupSdkWithCloud();

function currentSocket(): PageSocket {
  const socket = pageSocket(env.apiRTC);
  if (!socket) throw new Error('no page socket: register first');
  return socket;
}

describe('when the cloud has seen an unregistered socket close', { timeout: 30_000 }, () => {
  test('ua.unregister() resolves while the cloud still has the session; the socket is disconnected client-side only', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions());
    const socket = currentSocket();
    await upgraded(socket);

    await ua.unregister();

    expect(socket.connected).toBe(false);
    expect(socket.active).toBe(false);
    // engine.io-client defers the close until the DISCONNECT packet is written out.
    expect(socket.io.engine.readyState).toBe('closing');
    expect(socket.io.engine.transport.ws?.readyState).toBe(WebSocket.OPEN);
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('a clean unregister() leaves the page layer empty (apiCC.session null): anything else before a register() is a leftover', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    expect(pageLayer(env.apiRTC).session ?? null).toBeNull();
    await ua.register(env.registerOptions());
    expect(pageLayer(env.apiRTC).session).not.toBeNull();
    await ua.unregister();
    expect(pageLayer(env.apiRTC).session).toBeNull();
    expect(pageLayer(env.apiRTC).jsLoaded).toBe(false);
  });

  test('once the engine.io socket and the WebSocket it had have closed, the cloud has no session (websocket transport)', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions());
    const socket = currentSocket();
    await upgraded(socket);
    const closed = socketClosed(socket);
    await ua.unregister();

    expect(await closed).toBe('closed');
    expect(env.cloud.sessions()).toEqual([]);
    expect(env.cloud.disconnects).toEqual([expect.objectContaining({ cause: 'client', reason: 'client namespace disconnect' })]);
  });

  test('the same wait holds when unregister() comes right after register() (polling, or mid-upgrade)', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions());
    const closed = socketClosed(currentSocket());
    await ua.unregister();

    expect(await closed).toBe('closed');
    expect(env.cloud.sessions()).toEqual([]);
  });

  test('30 back-to-back re-registrations (same and new UserAgents) that wait for it: the cloud never sees two sessions', async () => {
    let most = 0;
    const onRegistration = () => {
      most = Math.max(most, env.cloud.sessions().length);
    };
    env.cloud.on('registration', onRegistration);
    try {
      let ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
      for (let cycle = 0; cycle < 30; cycle += 1) {
        if (cycle % 3 === 2) ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
        await ua.register(env.registerOptions({ id: `renewal-${cycle}` }));
        const closed = socketClosed(currentSocket());
        await ua.unregister();
        expect(await closed).toBe('closed');
        expect(env.cloud.sessions()).toEqual([]);
      }
    } finally {
      env.cloud.off('registration', onRegistration);
    }
    expect(env.cloud.registrations).toHaveLength(30);
    expect(most).toBe(1);
    expect(env.cloud.sessions()).toEqual([]);
  });
});
