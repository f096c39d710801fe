import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { TEST_API_KEY } from '../support/cloud.js';
import { ccsStatus, registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';

const env = setupSdkWithCloud();

/** The SDK's page-wide socket.io client socket (`apiCC.session.channel.socket`): read only, to see if it will retry. */
interface SdkSocket {
  active: boolean;
  disconnect(): void;
}

function sdkSocket(): SdkSocket {
  const apiCC = (globalThis as { apiCC?: { session?: { channel?: { socket?: SdkSocket } } } }).apiCC;
  const socket = apiCC?.session?.channel?.socket;
  if (!socket) throw new Error('the SDK has no socket');
  return socket;
}

describe('connection faults with the real SDK', { timeout: 20_000 }, () => {
  test('a transport drop: the SDK reconnects by itself, on the same registration, with the same token', async () => {
    const token = await env.signToken({ userId: 'dave' });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: 'dave', token }));
    const [first] = env.cloud.registrations;

    const dropped = env.cloud.waitFor('disconnect');
    const reconnected = env.cloud.waitFor('registration');
    const uaBack = ccsStatus(ua, 'connected');
    expect(env.cloud.faults.drop()).toBe(1);

    expect(await dropped).toMatchObject({ cause: 'drop', channelId: 'dave' });
    const again = await reconnected;
    await uaBack;
    expect(again).toMatchObject({ mode: 'jwt', channelId: 'dave', jti: decodeJwt(token).jti, apiCCSessionId: first?.apiCCSessionId });
    expect(again.socketId).not.toBe(first?.socketId);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'dave', socketId: again.socketId })]);
    expect(ua.isRegistered()).toBe(true);
  });

  test('after the token expired, a drop ends in a refused reconnect; unregister + a fresh token recovers', async () => {
    const token = await env.signToken({ userId: 'erin', expiresIn: 60 });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: 'erin', token }));

    env.cloud.advanceClock(61_000); // the token is now expired on the cloud's clock
    const refused = env.cloud.waitFor('refusal');
    const uaError = ccsStatus(ua, 'error');
    env.cloud.faults.drop();

    expect(await refused).toMatchObject({ stage: 'handshake', mode: 'jwt', channelId: 'erin', reason: 'jwt expired', jti: decodeJwt(token).jti });
    await uaError;
    expect(env.cloud.sessions()).toEqual([]);
    // The SDK gave up (auth failure) but the UserAgent still says registered.
    expect(ua.isRegistered()).toBe(true);

    await ua.unregister();
    const fresh = await env.signToken({ userId: 'erin', expiresIn: 60 });
    const session = await ua.register(env.registerOptions({ id: 'erin', token: fresh }));
    expect(session.getId()).toBe('erin');
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'erin', jti: decodeJwt(fresh).jti })]);
  });

  test('a kick is a server-side disconnect: the SDK reports it and does not reconnect', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions());
    const disconnected = ccsStatus(ua, 'disconnected');
    const kicked = env.cloud.waitFor('disconnect');

    expect(env.cloud.faults.kick({ channelId: session.getId() })).toBe(1);

    expect(await kicked).toMatchObject({ cause: 'kick', reason: 'server namespace disconnect' });
    await disconnected;
    expect(env.cloud.sessions()).toEqual([]);
    expect(ua.isRegistered()).toBe(true); // as the notes say: unregister() + register() brings it back
    await ua.unregister();
    await ua.register(env.registerOptions());
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('the cloud goes down and comes back on the same port: the SDK reconnects', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions());
    const port = env.cloud.port;
    const disconnected = ccsStatus(ua, 'disconnected');

    await env.cloud.faults.down();
    await disconnected;
    expect(env.cloud.disconnects).toEqual([expect.objectContaining({ cause: 'down', channelId: session.getId() })]);

    const back = env.cloud.waitFor('registration', (record) => record.channelId === session.getId());
    const connected = ccsStatus(ua, 'connected');
    await env.cloud.faults.up();
    expect(env.cloud.port).toBe(port);
    await back;
    await connected;
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test('a reconnect refused with a text the SDK does not list still ends its reconnects: any refused handshake does', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: 'gina', token: await env.signToken({ userId: 'gina' }) }));
    env.cloud.faults.refuse({ message: 'server busy' });
    const refused = env.cloud.waitFor('refusal');
    env.cloud.faults.drop();
    expect(await refused).toMatchObject({ stage: 'handshake', channelId: 'gina', message: 'server busy' });
    // socket.io's client does not retry a refusal of the connection middleware: the SDK's socket is no longer
    // active (nothing is scheduled), though the SDK still says registered.
    await expect.poll(() => sdkSocket().active, { interval: 10 }).toBe(false);
    expect(env.cloud.refusals).toHaveLength(1);
    expect(ua.isRegistered()).toBe(true);
    expect(env.cloud.sessions()).toEqual([]);
  });

  test('a transport-level refusal (engine.io answers HTTP 403) is retried by the SDK until it gets through', async () => {
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    await ua.register(env.registerOptions({ id: 'hank', token: await env.signToken({ userId: 'hank' }) }));
    const [first] = env.cloud.registrations;
    env.cloud.faults.refuseTransport({ count: 3 });
    const reconnected = env.cloud.waitFor('registration');
    env.cloud.faults.drop();
    expect(await reconnected).toMatchObject({ channelId: 'hank', apiCCSessionId: first?.apiCCSessionId });
    expect(env.cloud.refusals.map((refusal) => [refusal.stage, refusal.channelId])).toEqual([
      ['transport', 'hank'],
      ['transport', 'hank'],
      ['transport', 'hank'],
    ]);
  });

  test('a first register() meeting a transport refusal rejects at once (code 5), but its socket retries and connects: a ghost', async () => {
    env.cloud.faults.refuseTransport({ count: 1 });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const ghost = env.cloud.waitFor('registration', (record) => record.channelId === 'ivy');
    const failure = await registerFailure(ua.register(env.registerOptions({ id: 'ivy', token: await env.signToken({ userId: 'ivy' }) })));
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(failure.message).toContain('xhr poll error');
    // The rejection does not stop the socket.io client: it reconnects by itself, and the cloud has a
    // session that the app was told failed.
    expect(await ghost).toMatchObject({ mode: 'jwt', channelId: 'ivy' });
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ stage: 'transport', channelId: 'ivy' })]);
    // The test ends it through the page's socket.
    const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === 'ivy');
    sdkSocket().disconnect();
    await gone;
  });

  test('refused handshakes (fault): register() fails with the SDK code 5 and the fault message', async () => {
    env.cloud.faults.refuse({ message: 'access token failure: maintenance' });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const failure = await registerFailure(ua.register(env.registerOptions()));
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(failure.message).toContain('access token failure: maintenance');
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ mode: 'apiKey', reason: 'refused (fault)' })]);
  });

  test('REST answering 503 (fault): register() fails at once, an HTTP error is not retried', async () => {
    env.cloud.faults.failRest({ status: 503 });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const failure = await registerFailure(ua.register(env.registerOptions()));
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(env.cloud.requests).toEqual([expect.objectContaining({ path: '/api/v2/preferredCCS', status: 503 })]);
  });

  test('handshake latency (fault) delays register() by at least that much', async () => {
    env.cloud.faults.setLatency({ handshake: 300 });
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const started = performance.now();
    await ua.register(env.registerOptions());
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(env.cloud.sessions()).toHaveLength(1);
  });
});
