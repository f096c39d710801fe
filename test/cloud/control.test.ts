import { decodeJwt } from 'jose';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import { SOCKET_SCRIPT_PATH, type CloudState } from '../../src/cloud/index.js';
import { connectOk, connectRefused, nextClientEvent } from '../support/ccs-client.js';
import { OTHER_API_KEY, TEST_API_KEY, setupLocalCloud, waitForNoSessions } from '../support/cloud.js';

const env = setupLocalCloud();
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await waitForNoSessions(env.cloud);
});

async function control(route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${env.cloud.url}/_cloud/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

async function state(): Promise<CloudState> {
  return (await (await fetch(`${env.cloud.url}/_cloud/state`)).json()) as CloudState;
}

describe('control routes (for browser demos)', () => {
  test('answer pages served from this machine and clients without an Origin, never a page of another site', async () => {
    const evil = await fetch(`${env.cloud.url}/_cloud/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, // a "simple" request: no preflight
      body: '{"userId":"alice"}',
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(await evil.text()).not.toContain('eyJ');
    const sandboxed = await fetch(`${env.cloud.url}/_cloud/faults/down`, { method: 'OPTIONS', headers: { origin: 'null', 'access-control-request-method': 'POST' } });
    expect(sandboxed.status).toBe(403);
    expect(env.cloud.isUp).toBe(true);
    for (const origin of ['http://localhost:6006', 'http://127.0.0.1:6006', 'http://[::1]:6006']) {
      const local = await fetch(`${env.cloud.url}/_cloud/state`, { headers: { origin } });
      expect([local.status, local.headers.get('access-control-allow-origin')]).toEqual([200, origin]);
    }
    expect((await fetch(`${env.cloud.url}/_cloud/state`)).status).toBe(200); // curl, a test
    // The REST routes stay open to any page, as the real cloud's are.
    const rest = await fetch(`${env.cloud.url}/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`, { headers: { origin: 'https://app.example' } });
    expect([rest.status, rest.headers.get('access-control-allow-origin')]).toEqual([200, 'https://app.example']);
  });

  test('GET state: faults, live sessions and records', async () => {
    sockets.push(await connectOk(env.cloud, { channelId: 'watched', apiKey: TEST_API_KEY }));
    const snapshot = await state();
    expect(snapshot).toMatchObject({
      url: env.cloud.url,
      ccs: env.cloud.ccs,
      up: true,
      clockOffsetMs: 0,
      faults: { refusing: null, latency: { rest: 0, handshake: 0 }, restErrors: null, socketScriptWithheld: false, down: false },
      sessions: [expect.objectContaining({ channelId: 'watched', mode: 'apiKey' })],
      registrations: [expect.objectContaining({ channelId: 'watched' })],
      refusals: [],
      disconnects: [],
    });
  });

  test('POST faults/drop and faults/kick, with an optional filter', async () => {
    const a = await connectOk(env.cloud, { channelId: 'a', apiKey: TEST_API_KEY }, { reconnection: true });
    const b = await connectOk(env.cloud, { channelId: 'b', apiKey: TEST_API_KEY });
    sockets.push(a, b);
    const back = env.cloud.waitFor('registration', (record) => record.channelId === 'a');
    expect(await control('faults/drop', { channelId: 'a' })).toEqual({ status: 200, json: { dropped: 1 } });
    await back;
    const kicked = nextClientEvent<[string]>(b, 'disconnect');
    expect(await control('faults/kick', { channelId: 'b' })).toEqual({ status: 200, json: { kicked: 1 } });
    expect((await kicked)[0]).toBe('io server disconnect');
    expect(await control('faults/kick', { mode: 'login' })).toEqual({ status: 200, json: { kicked: 0 } });
  });

  test('POST faults/refuse on and off', async () => {
    expect((await control('faults/refuse', { message: 'access token failure: demo' })).json).toMatchObject({ refusing: 'access token failure: demo' });
    expect((await connectRefused(env.cloud, { channelId: 'x', apiKey: TEST_API_KEY })).message).toBe('access token failure: demo');
    expect((await control('faults/refuse', { enabled: false })).json).toMatchObject({ refusing: null });
    sockets.push(await connectOk(env.cloud, { channelId: 'x', apiKey: TEST_API_KEY }));
  });

  test('POST faults/latency delays REST answers', async () => {
    expect((await control('faults/latency', { rest: 150 })).json).toMatchObject({ latency: { rest: 150, handshake: 0 } });
    const started = performance.now();
    await fetch(`${env.cloud.url}/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await control('faults/latency', { ms: 0 })).json).toMatchObject({ latency: { rest: 0, handshake: 0 } });
  });

  test('POST faults/rest-errors: a 5xx for matching paths, for `count` requests', async () => {
    const preferred = `${env.cloud.url}/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`;
    await control('faults/rest-errors', { status: 502, count: 2, path: '/api/v2/preferredCCS' });
    expect((await fetch(`${env.cloud.url}/api/v2/checkToken`)).status).toBe(401); // other path: untouched
    const first = await fetch(preferred);
    expect(first.status).toBe(502);
    expect(await first.json()).toEqual({ error: 'injected fault', status: 502 });
    expect((await fetch(preferred)).status).toBe(502);
    expect((await fetch(preferred)).status).toBe(200);
    expect(env.cloud.faults.state.restErrors).toBeNull();

    await control('faults/rest-errors', {});
    expect((await fetch(preferred)).status).toBe(503);
    expect((await control('faults/rest-errors', { enabled: false })).json).toMatchObject({ restErrors: null });
    expect((await fetch(preferred)).status).toBe(200);
  });

  test('POST faults/socket-script withholds the script (404) until turned off', async () => {
    await control('faults/socket-script', { enabled: true });
    expect((await fetch(`${env.cloud.url}${SOCKET_SCRIPT_PATH}`)).status).toBe(404);
    await control('faults/socket-script', { enabled: false });
    expect((await fetch(`${env.cloud.url}${SOCKET_SCRIPT_PATH}`)).status).toBe(200);
  });

  test('POST faults/down answers, goes down, and comes back by itself on the same port', async () => {
    const port = env.cloud.port;
    const down = env.cloud.waitFor('down');
    const up = env.cloud.waitFor('up');
    expect(await control('faults/down', { forMs: 200 })).toEqual({ status: 200, json: { down: true, forMs: 200 } });
    await down;
    expect(env.cloud.isUp).toBe(false);
    await expect(fetch(`${env.cloud.url}/_cloud/state`)).rejects.toThrow();
    await up;
    expect(env.cloud.port).toBe(port);
    expect((await state()).up).toBe(true);
  });

  test('POST faults/reset clears every switch', async () => {
    await control('faults/refuse');
    await control('faults/latency', { handshake: 5 });
    await control('faults/rest-errors');
    await control('faults/socket-script');
    expect((await control('faults/refuse-transport', { count: 2 })).json).toMatchObject({ transportRefusals: { remaining: 2 } });
    expect((await control('faults/reset')).json).toEqual({
      refusing: null,
      transportRefusals: null,
      latency: { rest: 0, handshake: 0 },
      restErrors: null,
      socketScriptWithheld: false,
      down: false,
    });
  });

  test('POST faults/up on a cloud that is up is harmless', async () => {
    expect(await control('faults/up')).toMatchObject({ status: 200, json: { down: false } });
  });

  test('POST clock moves the cloud clock (expire tokens from a demo)', async () => {
    const before = env.cloud.now();
    const moved = (await control('clock', { advanceMs: 3_600_000 })).json as { now: number; clockOffsetMs: number };
    expect(moved.clockOffsetMs).toBe(3_600_000);
    expect(moved.now).toBeGreaterThanOrEqual(before + 3_600_000);
    expect((await control('clock', { reset: true })).json).toMatchObject({ clockOffsetMs: 0 });
  });

  test('POST records/clear forgets the history', async () => {
    await fetch(`${env.cloud.url}/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`);
    expect(env.cloud.requests).toHaveLength(1);
    expect(await control('records/clear')).toEqual({ status: 200, json: { cleared: true } });
    expect(env.cloud.requests).toEqual([]);
  });

  test('POST token signs a development JWT the CCS accepts', async () => {
    const { json } = await control('token', { userId: 'demo', expiresIn: 120 });
    const { token, expiresAt } = json as { token: string; expiresAt: number };
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: TEST_API_KEY, aud: 'apiRTC', grants: { apiRTC_UserAgent_Id: 'demo' } });
    expect(expiresAt).toBe((claims.exp ?? 0) * 1000);
    sockets.push(await connectOk(env.cloud, { channelId: 'demo', apiKey: TEST_API_KEY, token }));
    const other = (await control('token', { userId: 'demo', apiKey: OTHER_API_KEY })).json as { token: string };
    expect(decodeJwt(other.token).sub).toBe(OTHER_API_KEY);
  });

  test.each([
    ['faults/latency', { rest: -1 }],
    ['faults/latency', { rest: 'slow' }],
    ['faults/rest-errors', { status: 404 }],
    ['faults/rest-errors', { count: 0 }],
    ['faults/rest-errors', { path: 'no-slash' }],
    ['faults/refuse', { message: '' }],
    ['faults/refuse', { enabled: 'yes' }],
    ['faults/drop', { mode: 'telepathy' }],
    ['faults/down', { forMs: 0 }],
    ['faults/down', { forMs: 10_000_000 }],
    ['token', {}],
    ['token', { userId: 'x', apiKey: 'nope' }],
    ['token', { userId: 'x', expiresIn: -5 }],
  ])('POST %s with %j is a 400 with a message', async (route, body) => {
    const { status, json } = await control(route, body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: expect.any(String), status: 400 });
    expect(env.cloud.isUp).toBe(true);
  });

  test('a body that is not a JSON object is a 400', async () => {
    const response = await fetch(`${env.cloud.url}/_cloud/faults/refuse`, { method: 'POST', body: '[1]' });
    expect(response.status).toBe(400);
    const broken = await fetch(`${env.cloud.url}/_cloud/faults/refuse`, { method: 'POST', body: '{' });
    expect(broken.status).toBe(400);
  });

  test('unknown routes are 404, wrong methods 405', async () => {
    expect((await control('faults/explode')).status).toBe(404);
    expect((await control('constructor')).status).toBe(404);
    expect((await fetch(`${env.cloud.url}/_cloud/faults/drop`)).status).toBe(405);
    expect((await control('state')).status).toBe(405);
  });
});
