import { generateKeyPair, SignJWT } from 'jose';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import { connectOk, connectRefused, nextClientEvent } from '../support/ccs-client.js';
import {
  OTHER_API_KEY,
  TEST_API_KEY,
  TEST_LOGIN_USER_ID,
  TEST_SECRET,
  setupLocalCloud,
  waitForNoSessions,
} from '../support/cloud.js';
import { signClaims, unsignedToken, vendorClaims } from '../support/tokens.js';

const env = setupLocalCloud();
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await waitForNoSessions(env.cloud);
});

function track(socket: Socket): Socket {
  sockets.push(socket);
  return socket;
}


describe('CCS handshake: anonymous and login', () => {
  test('a known apiKey with a channelId is accepted as an apiKey session', async () => {
    track(await connectOk(env.cloud, { channelId: '123456', apiKey: TEST_API_KEY, apiCCSessionId: 'abc' }));
    expect(env.cloud.registrations).toEqual([
      expect.objectContaining({ mode: 'apiKey', channelId: '123456', apiKey: TEST_API_KEY, jti: undefined, apiCCSessionId: 'abc' }),
    ]);
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: '123456', apiCCSessionId: 'abc' })]);
    env.cloud.clearRecords(); // records go, the live session stays
    expect(env.cloud.registrations).toEqual([]);
    expect(env.cloud.sessions()).toHaveLength(1);
  });

  test.each([
    ['an unknown apiKey', { channelId: '1', apiKey: 'nope' }, 'unknown apiKey'],
    ['no apiKey', { channelId: '1' }, 'apiKey missing'],
    ['no channelId', { apiKey: TEST_API_KEY }, 'channelId missing'],
  ])('%s is refused with "not authorized" (the SDK stops on it)', async (_name, query, reason) => {
    const refusal = await connectRefused(env.cloud, query);
    expect(refusal).toEqual({ message: 'not authorized', data: { reason } });
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ stage: 'handshake', mode: 'apiKey', reason, message: 'not authorized' })]);
  });

  test("a login user's id connects without a cloud token: the SDK's query carries none, so the CCS checks none", async () => {
    const query = { channelId: TEST_LOGIN_USER_ID, apiKey: TEST_API_KEY };
    track(await connectOk(env.cloud, query));
    expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'login', channelId: TEST_LOGIN_USER_ID })]);
  });
});

describe('CCS handshake: customer JWT', () => {
  test('a valid token is accepted and recorded with its jti', async () => {
    const claims = vendorClaims(TEST_API_KEY, 'alice', env.cloud.now());
    track(await connectOk(env.cloud, { channelId: 'alice', apiKey: TEST_API_KEY, token: await signClaims(claims, TEST_SECRET) }));
    expect(env.cloud.registrations).toEqual([expect.objectContaining({ mode: 'jwt', channelId: 'alice', jti: claims.jti })]);
  });

  test('exp is checked on the injectable clock: valid now, expired once the clock moves past exp', async () => {
    const token = await env.signToken({ userId: 'alice', expiresIn: 60 });
    track(await connectOk(env.cloud, { channelId: 'alice', apiKey: TEST_API_KEY, token }));
    env.cloud.advanceClock(60_000); // exp <= now: expired (no clock tolerance)
    expect(await connectRefused(env.cloud, { channelId: 'alice', apiKey: TEST_API_KEY, token })).toEqual({
      message: 'access token failure: jwt expired',
      data: { reason: 'jwt expired' },
    });
  });

  const now = () => env.cloud.now();
  test.each<[string, string, () => Promise<string>]>([
    ['an alg none token', 'jwt signature is required', async () => unsignedToken(vendorClaims(TEST_API_KEY, 'alice', now()))],
    ['a token without a signature part', 'jwt malformed', async () => (await signClaims(vendorClaims(TEST_API_KEY, 'alice', now()), TEST_SECRET)).split('.').slice(0, 2).join('.')],
    ['garbage', 'jwt malformed', async () => 'not-a-jwt'],
    [
      'an RS256 token',
      'invalid algorithm',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(vendorClaims(TEST_API_KEY, 'alice', now())).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      },
    ],
    ['a token not valid before a future nbf', 'jwt not active', async () => signClaims({ ...vendorClaims(TEST_API_KEY, 'alice', now()), nbf: Math.floor(now() / 1000) + 600 }, TEST_SECRET)],
    ['a token whose exp is not a number', 'invalid exp value', async () => signClaims({ ...vendorClaims(TEST_API_KEY, 'alice', now()), exp: 'tomorrow' as unknown as number }, TEST_SECRET)],
    ['a token without the grant', 'jwt grants.apiRTC_UserAgent_Id invalid. expected: alice or ApiKey_Token', async () => signClaims({ ...vendorClaims(TEST_API_KEY, 'alice', now()), grants: {} }, TEST_SECRET)],
    ['a token for an unknown apiKey', 'unknown apiKey', async () => signClaims(vendorClaims('nope', 'alice', now()), TEST_SECRET)],
  ])('%s is refused: %s', async (_name, reason, makeToken) => {
    const apiKey = reason === 'unknown apiKey' ? 'nope' : TEST_API_KEY;
    const refusal = await connectRefused(env.cloud, { channelId: 'alice', apiKey, token: await makeToken() });
    expect(refusal).toEqual({ message: `access token failure: ${reason}`, data: { reason } });
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ mode: 'jwt', reason })]);
  });

  test('a token of one apiKey does not open another (each apiKey has its own secret)', async () => {
    const token = await env.signToken({ userId: 'alice', apiKey: OTHER_API_KEY });
    expect((await connectRefused(env.cloud, { channelId: 'alice', apiKey: TEST_API_KEY, token })).message).toBe(
      'access token failure: invalid signature',
    );
    track(await connectOk(env.cloud, { channelId: 'alice', apiKey: OTHER_API_KEY, token }));
  });
});

describe('CCS faults', () => {
  test.each<['polling' | 'websocket']>([['polling'], ['websocket']])(
    'drop over %s: the client sees a transport failure (not a server disconnect) and reconnects',
    async (transport) => {
      const socket = track(await connectOk(env.cloud, { channelId: 'drop-me', apiKey: TEST_API_KEY }, { transports: [transport], reconnection: true }));
      const clientSaw = nextClientEvent<[string]>(socket, 'disconnect');
      const reconnected = env.cloud.waitFor('registration');

      expect(env.cloud.faults.drop({ channelId: 'drop-me' })).toBe(1);

      const [reason] = await clientSaw;
      expect(['transport close', 'transport error']).toContain(reason);
      await reconnected;
      expect(env.cloud.disconnects).toEqual([expect.objectContaining({ channelId: 'drop-me', cause: 'drop' })]);
      expect(env.cloud.sessions({ channelId: 'drop-me' })).toHaveLength(1);
    },
  );

  test('drop and kick only hit the sessions matching the filter', async () => {
    track(await connectOk(env.cloud, { channelId: 'a', apiKey: TEST_API_KEY }));
    track(await connectOk(env.cloud, { channelId: 'b', apiKey: TEST_API_KEY }));
    const kicked = env.cloud.waitFor('disconnect');
    expect(env.cloud.faults.kick({ channelId: 'nobody' })).toBe(0);
    expect(env.cloud.faults.kick({ channelId: 'b' })).toBe(1);
    expect(await kicked).toMatchObject({ channelId: 'b', cause: 'kick' });
    expect(env.cloud.sessions().map((session) => session.channelId)).toEqual(['a']);
    expect(env.cloud.sessions({ mode: 'jwt' })).toEqual([]);
  });

  test('kick: the client gets "io server disconnect" and does not reconnect', async () => {
    const socket = track(await connectOk(env.cloud, { channelId: 'kick-me', apiKey: TEST_API_KEY }, { reconnection: true }));
    const clientSaw = nextClientEvent<[string]>(socket, 'disconnect');
    env.cloud.faults.kick();
    expect((await clientSaw)[0]).toBe('io server disconnect');
    expect(socket.active).toBe(false); // socket.io-client will not reconnect
  });

  test('refuse: new handshakes fail with the fault message until turned off; live sessions stay', async () => {
    track(await connectOk(env.cloud, { channelId: 'live', apiKey: TEST_API_KEY }));
    env.cloud.faults.refuse();
    expect(await connectRefused(env.cloud, { channelId: 'new', apiKey: TEST_API_KEY })).toEqual({
      message: 'access token failure: refused by the local cloud',
      data: { reason: 'refused (fault)' },
    });
    env.cloud.faults.refuse({ message: 'server busy' });
    expect((await connectRefused(env.cloud, { channelId: 'new', apiKey: TEST_API_KEY })).message).toBe('server busy');
    env.cloud.faults.refuse(false);
    track(await connectOk(env.cloud, { channelId: 'new', apiKey: TEST_API_KEY }));
    expect(env.cloud.sessions()).toHaveLength(2);
  });

  test('refuseTransport: engine.io answers the handshake with HTTP 403; a reconnecting client gets through once the count is used', async () => {
    env.cloud.faults.refuseTransport({ count: 2 });
    const socket = track(await connectOk(env.cloud, { channelId: 'patient', apiKey: TEST_API_KEY }, { reconnection: true, untilConnected: true, transports: ['polling'] }));
    expect(socket.connected).toBe(true);
    expect(env.cloud.refusals).toEqual([
      expect.objectContaining({ stage: 'transport', channelId: 'patient', reason: 'transport refused (fault)', message: 'HTTP 403' }),
      expect.objectContaining({ stage: 'transport', channelId: 'patient' }),
    ]);
    expect(env.cloud.faults.state.transportRefusals).toBeNull();
    const raw = await fetch(`${env.cloud.url}/socket.io/?EIO=4&transport=polling`);
    expect(raw.status).toBe(200);
    env.cloud.faults.refuseTransport();
    const refused = await fetch(`${env.cloud.url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ code: 4, message: 'transport refused (fault)' });
  });

  test('handshake latency delays the handshake by at least that much', async () => {
    env.cloud.faults.setLatency({ handshake: 200 });
    const started = performance.now();
    track(await connectOk(env.cloud, { channelId: 'slow', apiKey: TEST_API_KEY }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  test('sockets record the Origin header of the handshake', async () => {
    track(await connectOk(env.cloud, { channelId: 'o', apiKey: TEST_API_KEY }, { origin: 'http://localhost:6006' }));
    expect(env.cloud.registrations).toEqual([expect.objectContaining({ origin: 'http://localhost:6006' })]);
  });
});
