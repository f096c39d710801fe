import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { jwtVerify } from 'jose';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ApiRtcClaims } from '../../src/core/jwt.js';
import { createTokenHandler, type Authorize } from '../../src/server/index.js';

/*
 * The token endpoint behind a real Express app, with the body parsers an app commonly has in front of it.
 * The browser's tokenUrl source POSTs `{"reason": ...}` as text/plain (no CORS preflight); an app's own
 * client may send application/json. express.json() parses only application/json (and leaves a text/plain
 * body unread), express.text() only text/plain: every combination must reach authorize with the reason.
 */

const apiKey = 'expressApiKey';
const secret = 'express-secret-never-in-an-answer-51c0';
const NOW_MS = 1_760_000_123_456;

async function serve(app: express.Express): Promise<string> {
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const parsers: Array<[string, RequestHandler[]]> = [
  ['no body parser', []],
  ['express.json()', [express.json()]],
  ['express.text()', [express.text()]],
  ['express.json() and express.text()', [express.json(), express.text()]],
  ['express.raw({ type: "*/*" })', [express.raw({ type: '*/*' })]],
];

const contentTypes = ['text/plain;charset=UTF-8', 'application/json'];

describe.each(parsers)('token endpoint in Express, %s in front', (_name, middleware) => {
  async function app(authorize: Authorize): Promise<string> {
    const application = express();
    application.use('/api/apirtc-token', ...middleware, createTokenHandler({ apiKey, secret, authorize, now: () => NOW_MS, onError: vi.fn() }).node);
    return serve(application);
  }

  it.each(contentTypes)('reads the reason of a %s body and signs for the user authorize names', async (contentType) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'alice' }));
    const origin = await app(authorize);
    const response = await fetch(`${origin}/api/apirtc-token`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body: JSON.stringify({ reason: 'renew', userId: 'mallory' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('date')).toBe(new Date(Math.floor(NOW_MS / 1000) * 1000).toUTCString());
    const body = (await response.json()) as { token: string; userId: string; expiresAt: number; scope: string };
    expect(body).toMatchObject({ userId: 'alice', scope: 'user', expiresAt: (Math.floor(NOW_MS / 1000) + 3600) * 1000 });
    const { payload } = await jwtVerify<ApiRtcClaims>(body.token, new TextEncoder().encode(secret), { audience: 'apiRTC', subject: apiKey, currentDate: new Date(NOW_MS) });
    expect(payload.grants).toEqual({ apiRTC_UserAgent_Id: 'alice' });
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: 'renew' }));
    // Mounted under a path: authorize sees the full URL (originalUrl).
    const request = authorize.mock.calls[0]?.[0] as Request;
    expect(new URL(request.url).pathname).toBe('/api/apirtc-token');
  });

  it.each(contentTypes)('gives authorize the body it can read itself, %s', async (contentType) => {
    let seen: unknown;
    const origin = await app(async (request) => {
      seen = await request.json();
      return 'bob';
    });
    const response = await fetch(`${origin}/api/apirtc-token`, { method: 'POST', headers: { 'Content-Type': contentType }, body: '{"reason":"initial","csrf":"k1"}' });
    expect(response.status).toBe(200);
    expect(seen).toEqual({ reason: 'initial', csrf: 'k1' });
  });

  it('answers 200 with reason undefined to a POST without a body', async () => {
    const authorize = vi.fn<Authorize>(() => 'carol');
    const origin = await app(authorize);
    const response = await fetch(`${origin}/api/apirtc-token`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: undefined }));
  });

  it('answers 400 to a text/plain body that is not a JSON object, without calling authorize', async () => {
    const authorize = vi.fn<Authorize>(() => 'dave');
    const origin = await app(authorize);
    const response = await fetch(`${origin}/api/apirtc-token`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '["renew"]' });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"error":"invalid request body"}');
    expect(authorize).not.toHaveBeenCalled();
  });

  it("hands out an apiKey-wide token when authorize returns { scope: 'apiKey' }", async () => {
    const origin = await app(() => ({ scope: 'apiKey' }));
    const response = await fetch(`${origin}/api/apirtc-token`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"reason":"initial"}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: 'ApiKey_Token', scope: 'apiKey' });
  });
});

describe('token endpoint in Express: what the app set on req reaches authorize', () => {
  it('reads req.session set by an earlier middleware, behind express.json()', async () => {
    const application = express();
    application.use((req, _res, next) => {
      (req as express.Request & { session?: { userId: string } }).session = req.headers.cookie === 'sid=erin' ? { userId: 'erin' } : undefined;
      next();
    });
    const handler = createTokenHandler({
      apiKey,
      secret,
      now: () => NOW_MS,
      authorize: (_request, { node }) => (node?.req as (express.Request & { session?: { userId: string } }) | undefined)?.session?.userId ?? null,
    });
    application.post('/token', express.json(), handler.node);
    const origin = await serve(application);
    const signedIn = await fetch(`${origin}/token`, { method: 'POST', headers: { Cookie: 'sid=erin', 'Content-Type': 'application/json' }, body: '{"reason":"initial"}' });
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { userId: string }).userId).toBe('erin');
    const anonymous = await fetch(`${origin}/token`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"reason":"initial"}' });
    expect(anonymous.status).toBe(401);
  });
});
