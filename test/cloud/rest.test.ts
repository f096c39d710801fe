import { describe, expect, test } from 'vitest';
import { MAX_LOGIN_TOKENS_PER_USER, SOCKET_SCRIPT_PATH } from '../../src/cloud/index.js';
import { OTHER_LOGIN, OTHER_PASSWORD, TEST_API_KEY, TEST_LOGIN, TEST_LOGIN_USER_ID, TEST_NICKNAME, TEST_PASSWORD, setupLocalCloud } from '../support/cloud.js';

const env = setupLocalCloud();
const ORIGIN = 'http://localhost:5173';

function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${env.cloud.url}${path}`, init);
}

function loginForm(username: string, password: string): FormData {
  const form = new FormData();
  form.set('username', username);
  form.set('password', password);
  return form;
}

async function login(username = TEST_LOGIN, password = TEST_PASSWORD): Promise<string> {
  const response = await get('/api/v3/authenticate', { method: 'POST', body: loginForm(username, password) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('preferredCCS', () => {
  test('answers this same server as the CCS, not secure', async () => {
    const response = await get(`/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ ccs: `127.0.0.1:${env.cloud.port}`, secure: false });
    expect(env.cloud.ccs).toBe(`127.0.0.1:${env.cloud.port}`);
  });

  test.each([['an unknown apiKey', '?apiKey=nope'], ['no apiKey', '']])('401 with a JSON body for %s', async (_name, query) => {
    const response = await get(`/api/v2/preferredCCS${query}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unknown apiKey', status: 401 });
  });
});

describe('the socket.io client script', () => {
  test('is served where the SDK loads it, ahead of socket.io (which owns /socket.io/)', async () => {
    const response = await get(SOCKET_SCRIPT_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/javascript');
    const script = await response.text();
    expect(script).toContain('Socket.IO v4');
    expect(script.length).toBeGreaterThan(10_000);
  });

  test('HEAD answers the length without a body', async () => {
    const response = await get(SOCKET_SCRIPT_PATH, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(10_000);
  });

  test('other /socket.io/ URLs still reach socket.io (a polling handshake opens)', async () => {
    const response = await get(`/socket.io/?EIO=4&transport=polling`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^0\{"sid":/);
  });
});

describe('login REST calls', () => {
  test('authenticate (multipart) returns an opaque cloud token', async () => {
    const token = await login();
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(token.split('.')).toHaveLength(1); // not a JWT
  });

  test('authenticate also takes an urlencoded form', async () => {
    const body = new URLSearchParams({ username: TEST_LOGIN, password: TEST_PASSWORD });
    const response = await get('/api/v3/authenticate', { method: 'POST', body });
    expect(response.status).toBe(200);
  });

  test.each([
    ['a wrong password', TEST_LOGIN, 'nope', 'invalid password'],
    ['an unknown login', 'who@example.test', TEST_PASSWORD, 'unknown login'],
  ])('401 with a JSON body for %s, recorded as a refusal', async (_name, username, password, reason) => {
    const response = await get('/api/v3/authenticate', { method: 'POST', body: loginForm(username, password) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid username or password', status: 401 });
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ stage: 'authenticate', login: username, reason })]);
  });

  test('400 without the form fields, or without a form', async () => {
    expect((await get('/api/v3/authenticate', { method: 'POST', body: new FormData() })).status).toBe(400);
    const json = await get('/api/v3/authenticate', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: expect.stringContaining('multipart/form-data') });
  });

  test(`a user holds at most ${MAX_LOGIN_TOKENS_PER_USER} cloud tokens: a new login drops the oldest`, async () => {
    const tokens: string[] = [];
    for (let i = 0; i <= MAX_LOGIN_TOKENS_PER_USER; i += 1) tokens.push(await login());
    expect((await get('/api/v2/users/me', bearer(tokens[0] ?? ''))).status).toBe(401);
    for (const token of tokens.slice(1)) expect((await get('/api/v2/users/me', bearer(token))).status).toBe(200);
  });

  test('users/me answers what the SDK reads, for the Bearer token', async () => {
    const token = await login();
    const response = await get('/api/v2/users/me', bearer(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      userId: TEST_LOGIN_USER_ID,
      username: TEST_LOGIN,
      nickname: TEST_NICKNAME,
      photo_url: '',
      mail: TEST_LOGIN,
      enterpriseId: '1',
      apiKey: TEST_API_KEY,
      ccs: env.cloud.ccs,
      token,
    });
  });

  test('enterprise users lists the members of the caller enterprise only', async () => {
    const token = await login();
    const response = await get('/api/v2/enterprises/1/users?json=true', bearer(token));
    expect(response.status).toBe(200);
    const { users } = (await response.json()) as { users: { id: string; username: string }[] };
    expect(users.map((user) => user.id)).toEqual([TEST_LOGIN_USER_ID, '1000001']);
    expect((await get('/api/v2/enterprises/2/users?json=true', bearer(token))).status).toBe(403);
    // a malformed escape is the client's fault: 400, not a 500 logged as the cloud's error
    expect((await get('/api/v2/enterprises/%E0%A4%A/users?json=true', bearer(token))).status).toBe(400);
    const other = await login(OTHER_LOGIN, OTHER_PASSWORD);
    const otherMe = (await (await get('/api/v2/users/me', bearer(other))).json()) as { enterpriseId: string; userId: string };
    expect(otherMe.enterpriseId).toBe('2');
    expect(otherMe.userId).toBe('1000002');
  });

  test('checkToken accepts a valid token; invalidateToken burns it, and a burnt token answers 401 as ApiRTC does', async () => {
    const token = await login();
    expect((await get('/api/v2/checkToken', bearer(token))).status).toBe(200);
    const burnt = await get('/api/v2/invalidateToken', { method: 'POST', ...bearer(token) });
    expect(await burnt.json()).toEqual({ invalidated: true });
    expect((await get('/api/v2/checkToken', bearer(token))).status).toBe(401);
    expect((await get('/api/v2/users/me', bearer(token))).status).toBe(401);
    const again = await get('/api/v2/invalidateToken', { method: 'POST', ...bearer(token) });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'invalid or expired token', status: 401 });
  });

  test('an expired login token: invalidateToken answers 401 too', async () => {
    const token = await login();
    env.cloud.advanceClock(13 * 3600 * 1000);
    expect((await get('/api/v2/invalidateToken', { method: 'POST', ...bearer(token) })).status).toBe(401);
  });

  test('401 for a missing or unknown Bearer token', async () => {
    expect((await get('/api/v2/users/me')).status).toBe(401);
    expect((await get('/api/v2/users/me', bearer('forged'))).status).toBe(401);
    expect((await get('/api/v2/checkToken', bearer('forged'))).status).toBe(401);
    expect((await get('/api/v2/invalidateToken', { method: 'POST' })).status).toBe(401);
  });
});

describe('HTTP details', () => {
  test('404 JSON for unknown paths, 405 for a wrong method', async () => {
    const unknown = await get('/api/v2/nothing');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found', status: 404 });
    expect((await get('/')).status).toBe(404);
    expect((await get('/api/v3/authenticate')).status).toBe(405);
    expect((await get(`/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`, { method: 'POST' })).status).toBe(405);
  });

  test('413 for an oversized body', async () => {
    const response = await get('/api/v3/authenticate', { method: 'POST', body: 'x'.repeat(70 * 1024), headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(413);
  });

  test('every REST request is recorded and emitted; control routes are not', async () => {
    const seen = env.cloud.waitFor('request', (record) => record.path === '/api/v2/preferredCCS');
    await get(`/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`, { headers: { Origin: ORIGIN } });
    expect(await seen).toMatchObject({ method: 'GET', status: 200, origin: ORIGIN });
    await get('/_cloud/state');
    expect(env.cloud.requests.map((record) => record.path)).toEqual(['/api/v2/preferredCCS']);
  });
});

describe('CORS (the SDK uses credentials: a * origin would be refused)', () => {
  test('answers reflect the exact Origin with credentials allowed', async () => {
    const response = await get(`/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`, { headers: { Origin: ORIGIN } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  test('error answers carry CORS too (so the page can read the 401)', async () => {
    const response = await get('/api/v2/preferredCCS?apiKey=nope', { headers: { Origin: ORIGIN } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  test('no CORS headers without an Origin', async () => {
    const response = await get(`/api/v2/preferredCCS?apiKey=${TEST_API_KEY}`);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a preflight for the multipart POST with Authorization is answered 204', async () => {
    const response = await get('/api/v2/invalidateToken', {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization',
        'Access-Control-Request-Private-Network': 'true',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization');
    expect(response.headers.get('access-control-allow-private-network')).toBe('true');
  });

  test("socket.io's own answers reflect the Origin with credentials", async () => {
    const response = await get('/socket.io/?EIO=4&transport=polling', { headers: { Origin: ORIGIN } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('control routes answer CORS too (browser demos call them)', async () => {
    const preflight = await get('/_cloud/faults/drop', {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    const state = await get('/_cloud/state', { headers: { Origin: ORIGIN } });
    expect(state.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });
});
