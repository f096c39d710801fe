/**
 * Refusals, transport errors and sockets the browser closed, with the real SDK: which events fire, and
 * what tells them apart (docs/sdk-behaviour.md, section 3).
 */
import { describe, expect, test } from 'vitest';
import type { Session, UserAgent } from '../support/apirtc-sdk.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { flush } from '../support/fake-clock.js';
import { ccsStatus, nextSdkEvent, registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { captureSockets, pageSocket, upgraded, type PageSocket } from './support.js';

const env = setupSdkWithCloud();

/** The Session events' payload: a page `channelEvent` CustomEvent; `detail.event` is socket.io's payload. */
type ChannelPayload = { detail?: { channelEvent?: string; event?: unknown } };

function describePayload(payload: unknown): string {
  const event = (payload as ChannelPayload).detail?.event;
  return event instanceof Error ? event.message : String(event);
}

/** UserAgent ccsConnectionStatus and Session events, in order, as `ua:<status>` / `session:<event>:<payload>`. */
function recordSdkEvents(ua: UserAgent, session: Session): string[] {
  const log: string[] = [];
  ua.on('ccsConnectionStatus', (event: { status: string }) => log.push(`ua:${event.status}`));
  for (const name of ['disconnect', 'reconnecting', 'reconnection', 'error'] as const) {
    session.on(name, (payload: unknown) => log.push(`session:${name}:${describePayload(payload)}`));
  }
  return log;
}

async function registered(): Promise<{ ua: UserAgent; session: Session; socket: PageSocket; log: string[] }> {
  const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
  const session = await ua.register(env.registerOptions());
  const socket = pageSocket(env.apiRTC);
  if (!socket) throw new Error('no page socket after register()');
  // On websocket, so that a drop is a 'transport close' (on polling it is a 'transport error' that comes
  // with an 'xhr poll error': Session error, UA error, before the disconnect).
  await upgraded(socket);
  return { ua, session, socket, log: recordSdkEvents(ua, session) };
}

describe('a refused handshake, whatever its text, ends the SDK reconnects', { timeout: 20_000 }, () => {
  test.each(['maintenance', 'server busy, try again later', 'access token failure: jwt expired'])(
    'a reconnect refused with %j: Session reconnection, then UA error, and nothing more',
    async (message) => {
      const { ua, socket, log } = await registered();
      env.cloud.faults.refuse({ message });
      const refused = ccsStatus(ua, 'error');
      env.cloud.faults.drop();
      await refused;
      await flush();

      expect(log).toEqual([
        'ua:disconnected',
        'session:disconnect:transport close',
        'ua:retry',
        'session:reconnecting:1',
        'session:reconnection:1', // the transport is open again: the refusal comes after it
        'ua:error', // no Session 'error': that one is for transport errors
      ]);
      // socket.io-client: a socket refused by the server's middleware is destroyed, not retried.
      expect(socket.active).toBe(false);
      expect(ua.isRegistered()).toBe(true);
      expect(env.cloud.refusals).toEqual([expect.objectContaining({ message })]);
      expect(env.cloud.sessions()).toEqual([]);
    },
  );

  test('a first register() refused with a text that is not about the token fails at once, with no retry', async () => {
    env.cloud.faults.refuse({ message: 'maintenance' });
    const sockets = captureSockets();
    try {
      const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
      const failing = registerFailure(ua.register(env.registerOptions()));
      const { socket } = await sockets.next();
      const failure = await failing;
      expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
      expect(failure.message).toContain('Channel Connect Error : Error: maintenance');
      expect(socket.active).toBe(false);
      expect(env.cloud.refusals).toHaveLength(1);
    } finally {
      sockets.restore();
    }
  });

  test('the refusal text is on the socket connect_error (and the page channelEvent), not on any UserAgent or Session event', async () => {
    const { socket } = await registered();
    env.cloud.faults.refuse({ message: 'maintenance' });
    const reconnectError = new Promise<Error>((resolve) => {
      // socket.io-client reuses the Socket object across reconnects.
      socket.once('connect_error', (error: Error) => resolve(error));
    });
    env.cloud.faults.drop();
    expect((await reconnectError).message).toBe('maintenance');
  });
});

describe('what is not a refusal', { timeout: 20_000 }, () => {
  test('a transport error (the cloud is down): Session error with the transport message, and the socket goes on retrying', async () => {
    const { ua, session, socket, log } = await registered();
    const transportError = nextSdkEvent(session, 'error');
    await env.cloud.faults.down();
    expect(describePayload(await transportError)).toBe('xhr poll error');
    expect(log.slice(0, 2)).toEqual(['ua:disconnected', 'session:disconnect:transport close']);
    // A failed attempt: UA error (twice: the socket's connect_error and its Manager's error), Session error once.
    expect(log).toEqual(expect.arrayContaining(['ua:retry', 'session:reconnecting:1', 'ua:error', 'session:error:xhr poll error']));
    expect(socket.active).toBe(true);

    const back = ccsStatus(ua, 'connected');
    await env.cloud.faults.up();
    await back;
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('a server-side disconnect (kick): Session disconnect says io server disconnect, and nothing reconnects', async () => {
    const { ua, socket, log } = await registered();
    const disconnected = ccsStatus(ua, 'disconnected');
    env.cloud.faults.kick();
    await disconnected;
    await flush();
    expect(log).toEqual(['ua:disconnected', 'session:disconnect:io server disconnect']);
    expect(socket.active).toBe(false);
  });

  test.each([
    ['its WebSocket closed by the browser', 'transport close'],
    ['engine.io-client ping timeout (a frozen or sleeping page)', 'ping timeout'],
  ] as const)('a socket ended on the client side (%s): Session disconnect says %j, and the SDK reconnects by itself', async (how, reason) => {
    const { ua, socket, log } = await registered();
    const engine = socket.io.engine;
    const back = ccsStatus(ua, 'connected');
    if (how.startsWith('its WebSocket')) engine.transport.ws?.close();
    else engine._onClose(reason); // what engine.io-client's ping timer does when no ping came in time
    await back;

    expect(log).toEqual([
      'ua:disconnected',
      `session:disconnect:${reason}`,
      'ua:retry',
      'session:reconnecting:1',
      'session:reconnection:1',
      'ua:connected',
    ]);
    expect(env.cloud.refusals).toEqual([]);
    expect(env.cloud.sessions()).toHaveLength(1);
  });
});
