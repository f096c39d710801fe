import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ApiRtcClaims } from '../../src/core/jwt.js';
import {
  APIKEY_WIDE_USER_ID,
  ApiRtcAuthError,
  createTokenHandler,
  MAX_TOKEN_REQUEST_BODY_BYTES,
  toNodeHandler,
  TOKEN_REQUEST_REASONS,
  type Authorize,
  type AuthorizeContext,
  type TokenHandler,
  type TokenHandlerOptions,
} from '../../src/server/index.js';
import { vendorClaims } from './claims.js';
import { consumeBody, listen, rawClient, rawRequest } from './http-helpers.js';

const apiKey = 'myDemoApiKey';
const secret = 'endpoint-secret-never-in-a-response-9d2e';
const key = new TextEncoder().encode(secret);
const NOW_MS = 1_760_000_000_456;
const NOW_S = 1_760_000_000;
const now = (): number => NOW_MS;
/** Every JWT starts with the base64url of '{"' : an error body must never contain one. */
const JWT_PREFIX = 'eyJ';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** Reads an answer, and checks the one rule every answer obeys: the secret is in no header and no body. */
async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  expect(text).not.toContain(secret);
  expect(headers).not.toContain(secret);
  expect(headers).not.toContain(JWT_PREFIX);
  if (response.status !== 200) expect(text).not.toContain(JWT_PREFIX);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

async function verifyToken(token: string) {
  return jwtVerify<ApiRtcClaims>(token, key, {
    algorithms: ['HS256'],
    audience: 'apiRTC',
    subject: apiKey,
    currentDate: new Date(NOW_MS),
  });
}

function handlerOptions(authorize: Authorize, overrides: Partial<TokenHandlerOptions> = {}): TokenHandlerOptions {
  return { apiKey, secret, now, authorize, onError: vi.fn(), ...overrides };
}

type Call = (path: string, init?: RequestInit) => Promise<Response>;

interface Transport {
  name: string;
  /** Serves the handler and returns how to call it; cleaned up when the test ends. */
  serve(handler: TokenHandler): Promise<Call>;
}

const transports: Transport[] = [
  {
    name: 'fetch handler called with Request objects',
    serve: async (handler) => (path, init) => handler(new Request(`http://app.example${path}`, init)),
  },
  {
    name: 'Node adapter on a real node:http server, called with fetch',
    serve: async (handler) => {
      const server = await listen(handler.node);
      onTestFinished(() => server.close());
      return (path, init) => fetch(`${server.origin}${path}`, init);
    },
  },
];

const post = (body?: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
  ...(body === undefined ? {} : { body }),
});

describe.each(transports)('token endpoint: $name', (transport) => {
  async function endpoint(authorize: Authorize, overrides: Partial<TokenHandlerOptions> = {}) {
    const options = handlerOptions(authorize, overrides);
    const call = await transport.serve(createTokenHandler(options));
    return { call, onError: options.onError };
  }

  it('answers 200 with a token for the user authorize decided, whatever the request claims', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'alice' }));
    const { call } = await endpoint(authorize);
    const answer = await read(
      await call('/api/apirtc-token?userId=mallory', post(JSON.stringify({ reason: 'initial', userId: 'mallory', id: 'mallory' }))),
    );

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = answer.body as { token: string; userId: string; expiresAt: number; scope: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'scope', 'token', 'userId']);
    expect(body.userId).toBe('alice');
    expect(body.scope).toBe('user');
    expect(body.expiresAt).toBe((NOW_S + 3600) * 1000);

    const { payload, protectedHeader } = await verifyToken(body.token);
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual(vendorClaims(apiKey, 'alice', NOW_S, 3600));
    expect(body.expiresAt).toBe((payload.exp ?? 0) * 1000);
    expect(answer.text).not.toContain('mallory');
    expect(authorize).toHaveBeenCalledTimes(1);
  });

  it("hands out an apiKey-wide token only when authorize returns { scope: 'apiKey' }: userId ApiKey_Token, scope apiKey", async () => {
    const { call } = await endpoint(() => ({ scope: 'apiKey' }), { expiresIn: 300 });
    const answer = await read(await call('/token', post('{"reason":"initial","userId":"mallory"}')));
    expect(answer.status).toBe(200);
    const body = answer.body as { token: string; userId: string; expiresAt: number; scope: string };
    expect(body).toEqual({ token: expect.any(String), userId: 'ApiKey_Token', expiresAt: (NOW_S + 300) * 1000, scope: 'apiKey' });
    expect(body.userId).toBe(APIKEY_WIDE_USER_ID);
    const { payload } = await verifyToken(body.token);
    expect(payload).toEqual(vendorClaims(apiKey, 'ApiKey_Token', NOW_S, 300));
  });

  it.each([
    ['no body', undefined, {}],
    ['text/plain, as the browser sends it', '{"reason":"renew"}', { 'Content-Type': 'text/plain;charset=UTF-8' }],
  ] as const)('sends a Date header from its clock, the one iat is read from, on a 200 (%s) and on every error it writes', async (_name, body, headers) => {
    const expected = new Date(NOW_S * 1000).toUTCString();
    const { call } = await endpoint((request) => (request.headers.get('x-user') === 'none' ? null : request.headers.get('x-user') === 'bad' ? { userId: '' } : 'olga'));
    const init: RequestInit = body === undefined ? { method: 'POST', headers } : { method: 'POST', headers, body };
    const ok = await read(await call('/token', init));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('date')).toBe(expected);
    const errors = await Promise.all([
      call('/token', { method: 'GET' }),
      call('/token', post('[1]')),
      call('/token', post('{}', { 'X-User': 'none' })),
      call('/token', post('{}', { 'X-User': 'bad' })),
      call('/token', post('{}', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })),
      call('/token', post(JSON.stringify({ pad: 'x'.repeat(MAX_TOKEN_REQUEST_BODY_BYTES) }))),
    ]);
    expect(errors.map((response) => response.status)).toEqual([405, 400, 401, 500, 403, 413]);
    expect(errors.map((response) => response.headers.get('date'))).toEqual(errors.map(() => expected));
    await Promise.all(errors.map(read));
  });

  it('accepts a plain userId string from authorize (sync or async)', async () => {
    const { call } = await endpoint(async () => 'bob-7');
    const answer = await read(await call('/token', post()));
    expect(answer.status).toBe(200);
    const body = answer.body as { token: string; userId: string };
    expect(body.userId).toBe('bob-7');
    expect((await verifyToken(body.token)).payload.grants).toEqual({ apiRTC_UserAgent_Id: 'bob-7' });
  });

  it('signs with the configured lifetime: expiresAt follows expiresIn', async () => {
    const { call } = await endpoint(() => ({ userId: 'carol' }), { expiresIn: 300 });
    const body = (await read(await call('/token', post('{"reason":"renew"}')))).body as { token: string; expiresAt: number };
    expect(body.expiresAt).toBe((NOW_S + 300) * 1000);
    expect((await verifyToken(body.token)).payload.exp).toBe(NOW_S + 300);
  });

  it.each(TOKEN_REQUEST_REASONS)('passes reason %s to authorize', async (reason) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'dave' }));
    const { call } = await endpoint(authorize);
    expect((await read(await call('/token', post(JSON.stringify({ reason }))))).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason } satisfies AuthorizeContext));
  });

  it.each([
    ['no body', undefined, {}],
    ['an empty body with a JSON type', '', { 'Content-Type': 'application/json' }],
    ['an empty object', '{}', {}],
    ['an unknown reason', '{"reason":"because"}', {}],
    ['a reason of another type', '{"reason":1}', {}],
    ['whitespace only', '  \n', {}],
  ] as const)('passes reason undefined for %s', async (_name, body, headers) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'erin' }));
    const { call } = await endpoint(authorize);
    const init: RequestInit = body === undefined ? { method: 'POST', headers } : { method: 'POST', headers, body };
    expect((await read(await call('/token', init))).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: undefined }));
  });

  it('reads the reason whatever the Content-Type (a text/plain POST needs no CORS preflight)', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'frank' }));
    const { call } = await endpoint(authorize);
    const init = { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: '{"reason":"expired"}' };
    expect((await read(await call('/token', init))).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: 'expired' }));
  });

  it('hands authorize the request with its method, URL, headers and an unread body', async () => {
    const seen: Record<string, unknown> = {};
    const { call } = await endpoint(async (request) => {
      seen.method = request.method;
      const url = new URL(request.url);
      seen.path = `${url.pathname}${url.search}`;
      seen.cookie = request.headers.get('cookie');
      seen.authorization = request.headers.get('authorization');
      seen.body = await request.json();
      return request.headers.get('cookie') === 'sid=valid' ? { userId: 'grace' } : null;
    });
    const init = post(JSON.stringify({ reason: 'retry', csrf: 'c1' }), { Cookie: 'sid=valid', Authorization: 'Bearer app-session' });
    expect((await read(await call('/api/token?x=1', init))).status).toBe(200);
    expect(seen).toEqual({
      method: 'POST',
      path: '/api/token?x=1',
      cookie: 'sid=valid',
      authorization: 'Bearer app-session',
      body: { reason: 'retry', csrf: 'c1' },
    });
  });

  it.each([null, undefined, false] as const)('answers 401 when authorize returns %s', async (decision) => {
    const { call, onError } = await endpoint(() => decision);
    const answer = await read(await call('/token', post('{"reason":"initial","userId":"mallory"}')));
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('{"error":"unauthorized"}');
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(onError).not.toHaveBeenCalled();
  });

  it('sends a Response from authorize unchanged (a 403 of the app)', async () => {
    const { call } = await endpoint(
      () => new Response(JSON.stringify({ error: 'forbidden', detail: 'account suspended' }), {
        status: 403,
        headers: { 'Content-Type': 'application/problem+json', 'X-App': 'yes' },
      }),
    );
    const answer = await read(await call('/token', post()));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: 'forbidden', detail: 'account suspended' });
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.headers.get('x-app')).toBe('yes');
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405 and Allow: POST, without calling authorize', async (method) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const { call } = await endpoint(authorize);
    const answer = await read(await call('/token', method === 'GET' ? { method } : { method, body: '{"reason":"initial"}' }));
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.text).toBe('{"error":"method not allowed"}');
    expect(authorize).not.toHaveBeenCalled();
  });

  it('answers HEAD with 405 and Allow: POST, and no body', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const { call } = await endpoint(authorize);
    const answer = await read(await call('/token', { method: 'HEAD' }));
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.text).toBe('');
    expect(authorize).not.toHaveBeenCalled();
  });

  it.each([
    ['throws', (): never => {
      throw new Error('db connection failed: password=hunter2');
    }],
    ['rejects', async (): Promise<never> => Promise.reject(new Error('db connection failed: password=hunter2'))],
  ])('answers 500 with no detail when authorize %s, and reports the error', async (_name, authorize) => {
    const { call, onError } = await endpoint(authorize);
    const answer = await read(await call('/token', post('{"reason":"initial"}')));
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"internal error"}');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'db connection failed: password=hunter2' }));
  });

  it.each([
    ['an empty userId', { userId: '' }],
    ['a whitespace-padded userId', { userId: ' alice ' }],
    ['a userId with a space', { userId: 'alice smith' }],
    ['a userId with "&" and "="', 'bob&apiKey=other'],
    ['a userId with "+"', { userId: 'a+b@x.example' }],
    ['an empty string', ''],
    ['an object without userId', {}],
    ['a numeric userId', { userId: 42 }],
    ['true', true],
    ['a number', 7],
    // The apiKey-wide token is never signed by accident: only { scope: 'apiKey' } asks for it.
    ['the userId string "ApiKey_Token"', 'ApiKey_Token'],
    ['{ userId: "ApiKey_Token" }', { userId: 'ApiKey_Token' }],
    ['{ userId: "ApiKey_Token", scope: "user" }', { userId: 'ApiKey_Token', scope: 'user' }],
    ["{ scope: 'apiKey' } with a userId", { scope: 'apiKey', userId: 'alice' }],
    ['an unknown scope', { scope: 'everyone', userId: 'alice' }],
    ['a scope without userId', { scope: 'user' }],
  ])('answers 500 when authorize returns %s, never a token', async (_name, decision) => {
    const { call, onError } = await endpoint(() => decision as never);
    const answer = await read(await call('/token', post()));
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"internal error"}');
    expect(onError).toHaveBeenCalledWith(expect.any(ApiRtcAuthError));
    expect(vi.mocked(onError!).mock.calls[0]?.[0]).toMatchObject({ code: 'INVALID_CONFIG', field: 'authorize' });
  });

  it.each([
    ['malformed JSON', '{"reason":'],
    ['a JSON array', '["renew"]'],
    ['a JSON string', '"renew"'],
    ['JSON null', 'null'],
  ])('answers 400 to %s, without calling authorize', async (_name, body) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const { call } = await endpoint(authorize);
    const answer = await read(await call('/token', post(body)));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('{"error":"invalid request body"}');
    expect(authorize).not.toHaveBeenCalled();
  });

  it('answers 413 to a body above the limit, without calling authorize', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const { call } = await endpoint(authorize);
    const body = JSON.stringify({ reason: 'initial', padding: 'x'.repeat(MAX_TOKEN_REQUEST_BODY_BYTES) });
    const answer = await read(await call('/token', post(body)));
    expect(answer.status).toBe(413);
    expect(answer.text).toBe('{"error":"request body too large"}');
    expect(authorize).not.toHaveBeenCalled();
    // A body right at the limit is still read.
    const fits = JSON.stringify({ reason: 'renew', pad: '' });
    const padded = JSON.stringify({ reason: 'renew', pad: 'y'.repeat(MAX_TOKEN_REQUEST_BODY_BYTES - fits.length) });
    expect(padded.length).toBe(MAX_TOKEN_REQUEST_BODY_BYTES);
    expect((await read(await call('/token', post(padded)))).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: 'renew' }));
  });

  it('answers 403 to a browser request from another site before authorize runs (CSRF); same-site and non-browser ones pass', async () => {
    const authorize = vi.fn<Authorize>(() => 'alice');
    const { call } = await endpoint(authorize);
    const evil = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' };
    const refused = await read(await call('/token', post('{"reason":"initial"}', evil)));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'cross-site request' });
    expect(authorize).not.toHaveBeenCalled();
    for (const site of ['same-origin', 'same-site', 'none']) {
      expect((await call('/token', post('{}', { 'Sec-Fetch-Site': site, Origin: 'https://app.example' }))).status).toBe(200);
    }
    expect((await call('/token', post('{}'))).status).toBe(200); // a server-side client sends no Sec-Fetch-Site
    expect(authorize).toHaveBeenCalledTimes(4);
  });

  it('serves a cross-site request whose Origin is in allowedOrigins', async () => {
    const { call } = await endpoint(() => 'alice', { allowedOrigins: ['https://app.other.example'] });
    const allowed = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.other.example' };
    expect((await call('/token', post('{}', allowed))).status).toBe(200);
    const lookalike = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.other.example.evil.example' };
    expect((await read(await call('/token', post('{}', lookalike)))).status).toBe(403);
  });

  it('gives concurrent requests their own token (distinct jti)', async () => {
    let n = 0;
    const { call } = await endpoint(() => ({ userId: `user-${++n}` }));
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('/token', post('{"reason":"initial"}')).then(read)));
    const bodies = answers.map((answer) => answer.body as { token: string; userId: string });
    const claims = await Promise.all(bodies.map(async (body) => (await verifyToken(body.token)).payload));
    expect(new Set(claims.map((claim) => claim.jti)).size).toBe(8);
    bodies.forEach((body, index) => expect(claims[index]?.grants).toEqual({ apiRTC_UserAgent_Id: body.userId }));
  });
});

describe('token endpoint: fetch handler specifics', () => {
  it('answers 413 from Content-Length alone, before reading', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const handler = createTokenHandler(handlerOptions(authorize));
    const request = new Request('http://app.example/token', {
      method: 'POST',
      headers: { 'Content-Length': String(MAX_TOKEN_REQUEST_BODY_BYTES + 1) },
      body: '{}',
    });
    expect((await read(await handler(request))).status).toBe(413);
    expect(authorize).not.toHaveBeenCalled();
  });

  it('still answers when a framework has already read the body (reason undefined)', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'heidi' }));
    const handler = createTokenHandler(handlerOptions(authorize));
    const request = new Request('http://app.example/token', { method: 'POST', body: '{"reason":"renew"}' });
    await request.text();
    expect((await read(await handler(request))).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(request, { reason: undefined });
  });

  it('passes the very Request object it received to authorize, with no node context', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'ivan' }));
    const handler = createTokenHandler(handlerOptions(authorize));
    const request = new Request('http://app.example/token', { method: 'POST', body: '{"reason":"retry"}' });
    await handler(request);
    expect(authorize.mock.calls[0]?.[0]).toBe(request);
    expect(authorize.mock.calls[0]?.[1]).toStrictEqual({ reason: 'retry' });
  });

  it('logs a 500 with console.error when no onError is given', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = createTokenHandler({ apiKey, secret, authorize: () => Promise.reject(new Error('boom')) });
    expect((await read(await handler(new Request('http://app.example/token', { method: 'POST' })))).status).toBe(500);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('500'), expect.objectContaining({ message: 'boom' }));
  });

  it('answers 500 with a Date header from the real clock when the injected clock breaks, and reports it', async () => {
    const onError = vi.fn();
    const handler = createTokenHandler(handlerOptions(() => 'oscar', { now: () => Number.NaN, onError }));
    const before = Math.floor(Date.now() / 1000) * 1000;
    const answer = await read(await handler(new Request('http://app.example/token', { method: 'POST' })));
    expect(answer.status).toBe(500);
    const date = Date.parse(answer.headers.get('date') ?? '');
    expect(date).toBeGreaterThanOrEqual(before);
    expect(date).toBeLessThanOrEqual(Date.now());
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'now' }));
  });

  it('still answers 500 when onError itself throws', async () => {
    const handler = createTokenHandler(
      handlerOptions(() => {
        throw new Error('boom');
      }, {
        onError: () => {
          throw new Error('logger down');
        },
      }),
    );
    const answer = await read(await handler(new Request('http://app.example/token', { method: 'POST' })));
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"internal error"}');
  });

  it('keeps signing with the secret it was given, even if the caller changes its buffer afterwards', async () => {
    const bytes = new TextEncoder().encode(secret);
    const handler = createTokenHandler(handlerOptions(() => 'judy', { secret: bytes }));
    bytes.fill(0);
    const body = (await read(await handler(new Request('http://app.example/token', { method: 'POST' })))).body as { token: string };
    expect((await verifyToken(body.token)).payload.grants).toEqual({ apiRTC_UserAgent_Id: 'judy' });
  });
});

describe('token endpoint: Node adapter specifics', () => {
  it('answers TRACE (a method fetch cannot carry) with 405 and Allow: POST', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const server = await listen(createTokenHandler(handlerOptions(authorize)).node);
    onTestFinished(() => server.close());
    const answer = await rawRequest(server.origin, 'TRACE', '/token');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(answer.text).toBe('{"error":"method not allowed"}');
    expect(authorize).not.toHaveBeenCalled();
  });

  it.each([
    ['a parsed JSON object (express.json())', (raw: string): unknown => JSON.parse(raw)],
    ['a string (express.text())', (raw: string): unknown => raw],
    ['a Buffer (express.raw())', (raw: string): unknown => Buffer.from(raw)],
  ])('takes the body a body parser left on req.body: %s', async (_name, parse) => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'kim' }));
    const tokenHandler = createTokenHandler(handlerOptions(authorize));
    const server = await listen((req, res) => {
      // What a body parser does: consume the stream, leave the result on req.body, call the next middleware.
      void consumeBody(req).then((raw) => {
        (req as IncomingMessage & { body?: unknown }).body = parse(raw);
        tokenHandler.node(req, res, (error) => res.writeHead(599).end(String(error)));
      });
    });
    onTestFinished(() => server.close());
    const answer = await read(await fetch(`${server.origin}/token`, post('{"reason":"renew","userId":"mallory"}')));
    expect(answer.status).toBe(200);
    expect((answer.body as { userId: string }).userId).toBe('kim');
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: 'renew' }));
  });

  it('answers 413 to a chunked body (no Content-Length) above the limit', async () => {
    const authorize = vi.fn<Authorize>(() => ({ userId: 'x' }));
    const server = await listen(createTokenHandler(handlerOptions(authorize)).node);
    onTestFinished(() => server.close());
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
    const answer = await read(await fetch(`${server.origin}/token`, init));
    expect(answer.status).toBe(413);
    expect(answer.text).toBe('{"error":"request body too large"}');
    expect(authorize).not.toHaveBeenCalled();
  });

  it('gives authorize a Request that reads like one: instanceof, headers, URL, body, and a clone fetch accepts', async () => {
    let seen: Record<string, unknown> = {};
    const server = await listen(
      createTokenHandler(
        handlerOptions(async (request) => {
          const copy = new Request(request.clone());
          seen = {
            isRequest: request instanceof Request,
            method: request.method,
            path: new URL(request.url).pathname,
            auth: request.headers.get('authorization'),
            hasBody: 'body' in request,
            copyMethod: copy.method,
            copyBody: await copy.text(),
            body: await request.json(),
            bodyUsed: request.bodyUsed,
          };
          return 'nina';
        }),
      ).node,
    );
    onTestFinished(() => server.close());
    const answer = await read(await fetch(`${server.origin}/t`, post('{"reason":"initial"}', { Authorization: 'Bearer s1' })));
    expect(answer.status).toBe(200);
    expect(seen).toEqual({
      isRequest: true,
      method: 'POST',
      path: '/t',
      auth: 'Bearer s1',
      hasBody: true,
      copyMethod: 'POST',
      copyBody: '{"reason":"initial"}',
      body: { reason: 'initial' },
      bodyUsed: true,
    });
  });

  it.each([
    ['while authorize waits', false],
    ['before authorize first reads the request', true],
  ])("aborts request.signal when the client goes away %s", async (_name, readLate) => {
    let client: Socket | undefined;
    const aborted = new Promise<boolean>((resolve) => {
      const handler = createTokenHandler(
        handlerOptions(async (request, { node }) => {
          if (!readLate) {
            const { signal } = request;
            client?.destroy();
            await new Promise((done) => signal.addEventListener('abort', done, { once: true }));
            resolve(signal.aborted);
            return null;
          }
          client?.destroy();
          await new Promise((done) => node?.res.once('close', done));
          resolve(request.signal.aborted);
          return null;
        }),
      );
      void listen(handler.node).then((server) => {
        onTestFinished(() => server.close());
        client = connect(Number(new URL(server.origin).port), '127.0.0.1', () => {
          client?.write('POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}');
        });
        client.on('error', () => {});
      });
    });
    expect(await aborted).toBe(true);
  });

  it("gives authorize the original req/res, so it can read what the app's middleware set (req.session)", async () => {
    let seen: unknown;
    const tokenHandler = createTokenHandler(
      handlerOptions((_request, { node }) => {
        const req = node?.req as (IncomingMessage & { session?: { userId?: string } }) | undefined;
        seen = { hasRes: node?.res !== undefined, url: req?.url };
        return req?.session?.userId ?? null;
      }),
    );
    const server = await listen((req, res) => {
      // A session middleware in front of the token handler.
      const signedIn = req.headers.cookie === 'sid=zoe-session';
      (req as IncomingMessage & { session?: { userId?: string } }).session = signedIn ? { userId: 'zoe' } : {};
      tokenHandler.node(req, res);
    });
    onTestFinished(() => server.close());
    const ok = await read(await fetch(`${server.origin}/token`, post('{"reason":"initial"}', { Cookie: 'sid=zoe-session' })));
    expect(ok.status).toBe(200);
    expect((ok.body as { userId: string }).userId).toBe('zoe');
    expect(seen).toEqual({ hasRes: true, url: '/token' });
    expect((await read(await fetch(`${server.origin}/token`, post()))).status).toBe(401);
  });

  it('sees the full URL when mounted under a path (Express/Connect originalUrl)', async () => {
    let seenUrl = '';
    const tokenHandler = createTokenHandler(
      handlerOptions((request) => {
        seenUrl = request.url;
        return 'lee';
      }),
    );
    const server = await listen((req, res) => {
      // What app.use('/api/token', handler.node) does before calling the middleware.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = req.url?.replace(/^\/api\/token/, '') || '/';
      tokenHandler.node(req, res);
    });
    onTestFinished(() => server.close());
    expect((await read(await fetch(`${server.origin}/api/token?v=2`, post()))).status).toBe(200);
    expect(seenUrl).toBe(`${server.origin}/api/token?v=2`);
  });

  it('writes back every Set-Cookie of a Response from authorize', async () => {
    const headers = new Headers({ 'Content-Type': 'application/json' });
    headers.append('Set-Cookie', 'a=1; Path=/');
    headers.append('Set-Cookie', 'b=2; Path=/');
    const server = await listen(createTokenHandler(handlerOptions(() => new Response('{"error":"relogin"}', { status: 401, headers }))).node);
    onTestFinished(() => server.close());
    const response = await fetch(`${server.origin}/token`, post());
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect((await read(response)).body).toEqual({ error: 'relogin' });
  });

  it("answers 500 with none of the headers of a Response from authorize that can't be read", async () => {
    const authorize = vi.fn<Authorize>(async () => {
      const response = new Response('{"error":"x"}', { status: 302, headers: { Location: 'https://elsewhere.example/', 'X-App': 'mine' } });
      await response.text(); // its body is gone: the adapter cannot send it
      return response;
    });
    const server = await listen(createTokenHandler(handlerOptions(authorize)).node);
    onTestFinished(() => server.close());
    const answer = await read(await fetch(`${server.origin}/token`, { ...post(), redirect: 'manual' }));
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"internal error"}');
    expect([answer.headers.get('location'), answer.headers.get('x-app')]).toEqual([null, null]);
  });

  it('leaves the answer to authorize when it wrote one through node.res itself (no error to next)', async () => {
    const handler = createTokenHandler(
      handlerOptions((_request, { node }) => {
        node?.res.writeHead(302, { Location: '/login' }).end();
        return null;
      }),
    );
    const next = vi.fn();
    const server = await listen((req, res) => handler.node(req, res, next));
    onTestFinished(() => server.close());
    const response = await fetch(`${server.origin}/token`, { ...post(), redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([302, '/login']);
    expect(next).not.toHaveBeenCalled();
  });

  it('cuts the connection when authorize began an answer through node.res and then threw', async () => {
    const handler = createTokenHandler(
      handlerOptions((_request, { node }) => {
        node?.res.writeHead(200, { 'content-type': 'text/plain' });
        node?.res.write('partial');
        throw new Error('session store down');
      }),
    );
    const server = await listen(handler.node);
    onTestFinished(() => server.close());
    const outcome = await fetch(`${server.origin}/token`, post()).then(
      (response) => response.text().then(() => 'ended', () => 'cut'),
      () => 'cut',
    );
    expect(outcome).toBe('cut'); // not left open: the client is told at once
  });

  it('closes the connection after a 413 instead of reading the rest of a huge upload', async () => {
    const handler = createTokenHandler(handlerOptions(() => 'x'));
    let serverSide: Socket | undefined;
    const server = await listen((req, res) => {
      serverSide = req.socket;
      handler.node(req, res);
    });
    onTestFinished(() => server.close());
    const socket = connect(Number(new URL(server.origin).port), '127.0.0.1');
    onTestFinished(() => {
      socket.destroy();
    });
    let answer = '';
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
    });
    socket.on('error', () => {}); // a reset while still uploading is one way the server may close
    let open = true;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    void closed.then(() => (open = false));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024);
    // Upload until the server closes the connection (before the fix it read on and kept it open).
    for (let sent = 0; open && sent < 16_000; sent += 1) await new Promise((resolve) => socket.write(chunk, resolve));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(serverSide?.bytesRead).toBeLessThan(8 * 1024 * 1024);
  });

  it('toNodeHandler passes its own failures to next, or answers 500 without next', async () => {
    const failing = toNodeHandler(() => Promise.reject(new Error('adapter-level failure')));
    const withNext = await listen((req, res) => failing(req, res, (error) => res.writeHead(502).end(`next: ${(error as Error).message}`)));
    const withoutNext = await listen((req, res) => failing(req, res));
    onTestFinished(() => withNext.close());
    onTestFinished(() => withoutNext.close());

    const nexted = await fetch(`${withNext.origin}/token`, post());
    expect(nexted.status).toBe(502);
    expect(await nexted.text()).toBe('next: adapter-level failure');

    const answered = await read(await fetch(`${withoutNext.origin}/token`, post()));
    expect(answered.status).toBe(500);
    expect(answered.text).toBe('{"error":"internal error"}');
  });

  it('answers request after request on one keep-alive connection, a 401 as well as a 200', async () => {
    const handler = createTokenHandler(handlerOptions((_request, { node }) => (node?.req.headers.authorization === 'Bearer ok' ? 'una' : null)));
    const sockets = new Set<Socket>();
    const server = await listen((req, res) => {
      sockets.add(req.socket);
      handler.node(req, res);
    });
    onTestFinished(() => server.close());
    const client = await rawClient(server.origin);
    const ask = (authorization: string) =>
      client.exchange(`POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\n{"reason":"renew"}`);
    const answers = [await ask('Bearer ok'), await ask('Bearer nope'), await ask('Bearer ok')];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 200]);
    // The body was read whole: nothing is left to drain, so no answer asks to close the connection.
    expect(answers.map((answer) => answer.headers.connection)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    expect(sockets.size).toBe(1);
    expect(client.closed).toBe(false);
  });

  it('answers pipelined requests (sent in one write) in order, each with its own body read', async () => {
    const reasons: unknown[] = [];
    const handler = createTokenHandler(
      handlerOptions((_request, { reason, node }) => {
        reasons.push(reason);
        return node?.req.headers['x-user'] === 'none' ? null : 'xena';
      }),
    );
    const server = await listen(handler.node);
    onTestFinished(() => server.close());
    const client = await rawClient(server.origin);
    const request = (reason: string, user: string) =>
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User: ${user}\r\nContent-Length: ${reason.length + 13}\r\n\r\n{"reason":"${reason}"}`;
    client.socket.write(request('initial', 'xena') + request('renew', 'none') + request('retry', 'xena'));
    const answers = [await client.answer(), await client.answer(), await client.answer()];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 200]);
    expect(reasons).toEqual(['initial', 'renew', 'retry']);
  });

  it('reads a body that arrives after its headers (a slow client)', async () => {
    const authorize = vi.fn<Authorize>(() => 'vera');
    const handler = createTokenHandler(handlerOptions(authorize));
    let headersIn: () => void = () => undefined;
    const headersSeen = new Promise<void>((resolve) => (headersIn = resolve));
    const server = await listen((req, res) => {
      headersIn();
      handler.node(req, res);
    });
    onTestFinished(() => server.close());
    const client = await rawClient(server.origin);
    const answer = client.exchange('POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n');
    await headersSeen; // the server has the headers and nothing of the body yet
    client.socket.write('{"reason":"expired"}');
    expect((await answer).status).toBe(200);
    expect(authorize).toHaveBeenCalledWith(expect.any(Request), expect.objectContaining({ reason: 'expired' }));
  });

  it("lets the request stream run to its end after reading the body: req emits 'end', then 'close'", async () => {
    const handler = createTokenHandler(handlerOptions(() => 'walt'));
    const events: string[] = [];
    let ended: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (ended = resolve));
    const server = await listen((req, res) => {
      req.once('end', () => events.push('end'));
      req.once('close', () => {
        events.push('close');
        ended();
      });
      handler.node(req, res);
    });
    onTestFinished(() => server.close());
    expect((await read(await fetch(`${server.origin}/token`, post('{"reason":"renew"}')))).status).toBe(200);
    await closed;
    expect(events).toEqual(['end', 'close']);
  });

  it('toNodeHandler serves any fetch handler, and answers TRACE 501 without calling it', async () => {
    const fetchHandler = vi.fn(async (request: Request) => new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`));
    const server = await listen(toNodeHandler(fetchHandler));
    onTestFinished(() => server.close());
    expect(await (await fetch(`${server.origin}/echo`, { method: 'PUT', body: 'hi' })).text()).toBe('PUT /echo hi');
    expect((await rawRequest(server.origin, 'TRACE', '/echo')).status).toBe(501);
    expect(fetchHandler).toHaveBeenCalledTimes(1);
  });
});

describe('createTokenHandler options are checked at creation', () => {
  const authorize: Authorize = () => null;
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no authorize', { authorize: undefined }, 'authorize'],
    ['authorize not a function', { authorize: 'alice' }, 'authorize'],
    ['authorize an object', { authorize: { userId: 'alice' } }, 'authorize'],
    ['onError not a function', { onError: 'log' }, 'onError'],
    ['missing apiKey', { apiKey: undefined }, 'apiKey'],
    ['empty apiKey', { apiKey: '' }, 'apiKey'],
    ['blank apiKey', { apiKey: '  ' }, 'apiKey'],
    ['whitespace-padded apiKey', { apiKey: ` ${apiKey} ` }, 'apiKey'],
    ['apiKey with ":"', { apiKey: 'apiKey:x' }, 'apiKey'],
    ['apiKey with whitespace', { apiKey: 'a b' }, 'apiKey'],
    ['missing secret', { secret: undefined }, 'secret'],
    ['empty secret', { secret: '' }, 'secret'],
    ['empty Uint8Array secret', { secret: new Uint8Array(0) }, 'secret'],
    ['expiresIn 0', { expiresIn: 0 }, 'expiresIn'],
    ['negative expiresIn', { expiresIn: -1 }, 'expiresIn'],
    ['NaN expiresIn', { expiresIn: Number.NaN }, 'expiresIn'],
    ['Infinity expiresIn', { expiresIn: Number.POSITIVE_INFINITY }, 'expiresIn'],
    ['expiresIn as a string', { expiresIn: '3600' }, 'expiresIn'],
    ['expiresIn above maxExpiresIn', { expiresIn: 86401 }, 'expiresIn'],
    ['expiresIn above a lowered maxExpiresIn', { expiresIn: 120, maxExpiresIn: 60 }, 'expiresIn'],
    ['maxExpiresIn 0', { maxExpiresIn: 0 }, 'maxExpiresIn'],
    ['maxExpiresIn Infinity', { maxExpiresIn: Number.POSITIVE_INFINITY }, 'maxExpiresIn'],
    ['now not a function', { now: Date.now() }, 'now'],
    ['allowedOrigins a string', { allowedOrigins: 'https://app.example' }, 'allowedOrigins'],
    ['allowedOrigins with a path', { allowedOrigins: ['https://app.example/login'] }, 'allowedOrigins'],
    ['allowedOrigins with a trailing slash', { allowedOrigins: ['https://app.example/'] }, 'allowedOrigins'],
    ['allowedOrigins not a URL', { allowedOrigins: ['app.example'] }, 'allowedOrigins'],
  ];

  it.each(cases)('%s', (_name, overrides, field) => {
    const options = { apiKey, secret, authorize, ...overrides } as unknown as TokenHandlerOptions;
    let thrown: unknown;
    try {
      createTokenHandler(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiRtcAuthError);
    expect(thrown).toMatchObject({ code: 'INVALID_CONFIG', field, retryable: false });
    expect((thrown as Error).message).not.toContain(secret);
  });

  it('no options at all', () => {
    expect(() => createTokenHandler(undefined as unknown as TokenHandlerOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'options' }),
    );
  });

  it('allows a long lifetime when maxExpiresIn is raised on purpose', async () => {
    const week = 7 * 86400;
    const handler = createTokenHandler(handlerOptions(() => 'mia', { expiresIn: week, maxExpiresIn: week }));
    const body = (await read(await handler(new Request('http://app.example/token', { method: 'POST' })))).body as { expiresAt: number };
    expect(body.expiresAt).toBe((NOW_S + week) * 1000);
  });

  it('returns a function with a node adapter', () => {
    const handler = createTokenHandler({ apiKey, secret, authorize });
    expect(typeof handler).toBe('function');
    expect(typeof handler.node).toBe('function');
    expect(handler.node.length).toBe(3);
  });
});
