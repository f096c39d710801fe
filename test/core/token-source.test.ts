import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GetToken, JwtAuth, TokenReason } from '../../src/core/auth.js';
import { ApiRtcAuthError } from '../../src/core/errors.js';
import { decodeApiRtcToken, USER_ID_GRANT } from '../../src/core/jwt.js';
import { createTokenSource, type TokenSourceOptions } from '../../src/core/token-source.js';
import { createTokenHandler, type AuthorizeContext } from '../../src/server/index.js';
import { API_KEY, SECRET, USER_ID } from '../support/engine.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { listen, type LoopbackServer } from '../server/http-helpers.js';

const TIMEOUT_MS = 1_000;

function setup(auth: JwtAuth, overrides: Partial<TokenSourceOptions> = {}) {
  const clock = new FakeClock();
  let current = auth;
  const sourced = createTokenSource({ readAuth: () => current, clock, timeoutMs: () => TIMEOUT_MS, ...overrides });
  // Most tests look at the token only; `sourced` also says what the source knows of the server's clock.
  const source = { get: (reason: TokenReason, signal: AbortSignal) => sourced.get(reason, signal).then(({ token }) => token) };
  return { clock, source, sourced, setAuth: (next: JwtAuth) => (current = next) };
}

function jwtAuth(getToken: GetToken): JwtAuth {
  return { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken };
}

/** A getToken whose calls the test settles by hand; each call's signal and reason are recorded. */
function controlledGetToken() {
  const calls: Array<{ signal: AbortSignal; reason: TokenReason; resolve: (token: string) => void; reject: (error: unknown) => void }> = [];
  const getToken = vi.fn<GetToken>(
    ({ signal, reason }) =>
      new Promise<string>((resolve, reject) => {
        calls.push({ signal, reason, resolve, reject });
      }),
  );
  return { getToken, calls };
}

/** Watches a promise without awaiting it: `state()` says whether it settled yet. */
function track<T>(promise: Promise<T>) {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      state = 'fulfilled';
      value = v;
    },
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, value: () => value, error: () => error };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createTokenSource: a literal token', () => {
  it('returns the literal token, calls no fetch and leaves no timer', async () => {
    const fetchSpy = vi.fn<typeof fetch>();
    const { source, clock } = setup({ mode: 'jwt', apiKey: API_KEY, userId: USER_ID, token: 'literal.jwt.value' }, { fetch: fetchSpy });
    await expect(source.get('initial', new AbortController().signal)).resolves.toBe('literal.jwt.value');
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });

  it('reads the auth at each request (latest ref)', async () => {
    const { source, setAuth } = setup({ mode: 'jwt', apiKey: API_KEY, userId: USER_ID, token: 'first' });
    await expect(source.get('initial', new AbortController().signal)).resolves.toBe('first');
    setAuth({ mode: 'jwt', apiKey: API_KEY, userId: USER_ID, token: 'second' });
    await expect(source.get('renew', new AbortController().signal)).resolves.toBe('second');
  });
});

describe('createTokenSource: getToken', () => {
  it('calls getToken with { signal, reason } and resolves with its token; the timeout timer is cleared', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source, clock } = setup(jwtAuth(getToken));
    const caller = new AbortController();
    const result = source.get('renew', caller.signal);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(calls[0]?.reason).toBe('renew');
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.signal.aborted).toBe(false);
    // The source's own signal, not the caller's: it aborts only when every caller has left.
    expect(calls[0]?.signal).not.toBe(caller.signal);
    expect(clock.pending).toBe(1);
    calls[0]?.resolve('tok-1');
    await expect(result).resolves.toBe('tok-1');
    expect(clock.pending).toBe(0);
  });

  it('passes each reason through', async () => {
    const reasons: TokenReason[] = [];
    const { source } = setup(
      jwtAuth(async ({ reason }) => {
        reasons.push(reason);
        return `tok-${reason}`;
      }),
    );
    for (const reason of ['initial', 'renew', 'expired', 'refused', 'retry'] as const) {
      await expect(source.get(reason, new AbortController().signal)).resolves.toBe(`tok-${reason}`);
    }
    expect(reasons).toEqual(['initial', 'renew', 'expired', 'refused', 'retry']);
  });

  it('reads the latest getToken at each request, so an inline function is fine', async () => {
    const { source, setAuth } = setup(jwtAuth(async () => 'from-first'));
    await expect(source.get('initial', new AbortController().signal)).resolves.toBe('from-first');
    setAuth(jwtAuth(async () => 'from-second'));
    await expect(source.get('renew', new AbortController().signal)).resolves.toBe('from-second');
  });

  it('single flight: concurrent get() calls share one getToken call and the first reason', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source } = setup(jwtAuth(getToken));
    const a = source.get('renew', new AbortController().signal);
    const b = source.get('retry', new AbortController().signal);
    const c = source.get('expired', new AbortController().signal);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(calls[0]?.reason).toBe('renew');
    calls[0]?.resolve('shared');
    await expect(Promise.all([a, b, c])).resolves.toEqual(['shared', 'shared', 'shared']);
  });

  it('does not cache: a get() after the flight settled asks again', async () => {
    let n = 0;
    const getToken = vi.fn<GetToken>(async () => `tok-${++n}`);
    const { source } = setup(jwtAuth(getToken));
    await expect(source.get('initial', new AbortController().signal)).resolves.toBe('tok-1');
    await expect(source.get('renew', new AbortController().signal)).resolves.toBe('tok-2');
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('does not cache a failure: the next get() after a failed flight asks again', async () => {
    const getToken = vi.fn<GetToken>().mockRejectedValueOnce(new Error('offline')).mockResolvedValueOnce('tok-ok');
    const { source } = setup(jwtAuth(getToken));
    await expect(source.get('initial', new AbortController().signal)).rejects.toMatchObject({ code: 'TOKEN_SOURCE_FAILED' });
    await expect(source.get('retry', new AbortController().signal)).resolves.toBe('tok-ok');
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('rejects ABORTED at once for an already aborted signal, without calling getToken', async () => {
    const getToken = vi.fn<GetToken>(async () => 'never');
    const { source, clock } = setup(jwtAuth(getToken));
    const error = await rejection(source.get('initial', AbortSignal.abort()));
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(getToken).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });

  it('aborts the underlying request when every caller has aborted, and only then', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source, clock } = setup(jwtAuth(getToken));
    const callerA = new AbortController();
    const callerB = new AbortController();
    const a = track(source.get('initial', callerA.signal));
    const b = track(source.get('initial', callerB.signal));
    await flush();
    const inner = calls[0]?.signal;
    expect(inner?.aborted).toBe(false);

    callerA.abort();
    await flush();
    expect(a.state()).toBe('rejected');
    expect(a.error()).toMatchObject({ code: 'ABORTED' });
    expect(inner?.aborted).toBe(false);
    expect(b.state()).toBe('pending');

    callerB.abort();
    await flush();
    expect(b.state()).toBe('rejected');
    expect(b.error()).toMatchObject({ code: 'ABORTED' });
    expect(inner?.aborted).toBe(true);
    expect(inner?.reason).toMatchObject({ code: 'ABORTED' });
    // getToken settling late (here: rejecting) must not reach anyone, nor be reported unhandled.
    calls[0]?.reject(new Error('late failure'));
    await flush();
    expect(clock.pending).toBe(0);
  });

  it('starts a new request for a caller that comes after every previous caller left', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source } = setup(jwtAuth(getToken));
    const first = new AbortController();
    const abandoned = track(source.get('initial', first.signal));
    await flush();
    first.abort();
    await flush();
    expect(abandoned.state()).toBe('rejected');
    const next = source.get('retry', new AbortController().signal);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(calls[1]?.reason).toBe('retry');
    expect(calls[1]?.signal.aborted).toBe(false);
    calls[0]?.resolve('stale');
    calls[1]?.resolve('fresh');
    await expect(next).resolves.toBe('fresh');
  });

  it('when one of two callers aborts, the other still gets the token', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source } = setup(jwtAuth(getToken));
    const leaver = new AbortController();
    const left = track(source.get('initial', leaver.signal));
    const stays = source.get('initial', new AbortController().signal);
    await flush();
    leaver.abort();
    await flush();
    expect(calls[0]?.signal.aborted).toBe(false);
    calls[0]?.resolve('tok-for-the-one-who-stayed');
    await expect(stays).resolves.toBe('tok-for-the-one-who-stayed');
    expect(left.state()).toBe('rejected');
    expect(left.error()).toMatchObject({ code: 'ABORTED' });
  });

  it('times out: past timeoutMs the call fails TOKEN_SOURCE_FAILED (retryable) and getToken\'s signal is aborted', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source, clock } = setup(jwtAuth(getToken));
    const result = track(source.get('initial', new AbortController().signal));
    await flush();
    const inner = calls[0]?.signal;
    inner?.addEventListener('abort', () => calls[0]?.reject(new Error('the app saw the abort')));

    await clock.advance(TIMEOUT_MS - 1);
    expect(result.state()).toBe('pending');
    expect(inner?.aborted).toBe(false);

    await clock.advance(1);
    expect(inner?.aborted).toBe(true);
    expect(result.state()).toBe('rejected');
    const error = result.error();
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true });
    expect((error as Error).message).toContain(`${TIMEOUT_MS} ms`);
    expect(clock.pending).toBe(0);
  });

  it('times out even when getToken ignores its signal', async () => {
    const { source, clock } = setup(jwtAuth(() => new Promise<string>(() => {})));
    const result = track(source.get('initial', new AbortController().signal));
    await clock.advance(TIMEOUT_MS + 1);
    expect(result.state()).toBe('rejected');
    expect(result.error()).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true });
  });

  it('a plain error from getToken becomes TOKEN_SOURCE_FAILED, retryable, with the error as cause', async () => {
    const failure = new TypeError('Failed to fetch');
    const { source, clock } = setup(jwtAuth(async () => { throw failure; }));
    const error = await rejection(source.get('initial', new AbortController().signal));
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true });
    expect((error as Error).cause).toBe(failure);
    expect((error as Error).message).toContain('Failed to fetch');
    expect(clock.pending).toBe(0);
  });

  it('a getToken that throws synchronously or rejects with a non-Error is handled the same way', async () => {
    const sync = setup(jwtAuth(() => { throw new Error('sync boom'); }));
    await expect(sync.source.get('initial', new AbortController().signal)).rejects.toMatchObject({
      code: 'TOKEN_SOURCE_FAILED',
      retryable: true,
      message: expect.stringContaining('sync boom'),
    });
    const odd = setup(jwtAuth(() => Promise.reject('just a string')));
    const error = await rejection(odd.source.get('initial', new AbortController().signal));
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true, message: expect.stringContaining('just a string') });
    expect((error as Error).cause).toBe('just a string');
  });

  it('an ApiRtcAuthError from getToken passes through unchanged', async () => {
    const own = new ApiRtcAuthError('UNAUTHORIZED', 'the app says no', { retryable: false });
    const { source } = setup(jwtAuth(async () => { throw own; }));
    await expect(rejection(source.get('initial', new AbortController().signal))).resolves.toBe(own);
  });

  it('every waiter of a shared flight gets the same failure', async () => {
    const { getToken, calls } = controlledGetToken();
    const { source } = setup(jwtAuth(getToken));
    const a = rejection(source.get('initial', new AbortController().signal));
    const b = rejection(source.get('initial', new AbortController().signal));
    await flush();
    calls[0]?.reject(new Error('down'));
    const [ea, eb] = await Promise.all([a, b]);
    expect(ea).toBe(eb);
    expect(ea).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true });
  });
});

// ---------------------------------------------------------------------------------------------------------
// tokenUrl against real HTTP servers on 127.0.0.1

interface Seen {
  reason: AuthorizeContext['reason'];
  body: string;
  method: string;
  headers: Record<string, string>;
}

describe('createTokenSource: tokenUrl against the package\'s own handler on node:http', () => {
  let handlerServer: LoopbackServer;
  let statusServer: LoopbackServer;
  let closedOrigin: string;
  const seen: Seen[] = [];
  /** Resolves when the next /hang request arrives, with a promise of that request's connection closing. */
  let onHang: ((hang: { closed: Promise<void> }) => void) | undefined;
  const nextHang = () => new Promise<{ closed: Promise<void> }>((resolve) => (onHang = resolve));

  beforeAll(async () => {
    const handler = createTokenHandler({
      apiKey: API_KEY,
      secret: SECRET,
      expiresIn: 600,
      onError: () => {},
      authorize: async (request, { reason }) => {
        seen.push({ reason, body: await request.text(), method: request.method, headers: Object.fromEntries(request.headers) });
        const auth = request.headers.get('authorization');
        if (auth === 'Bearer forbidden') return new Response(JSON.stringify({ error: 'forbidden' }), { status: 403 });
        if (auth === 'Bearer crash') throw new Error('authorize crashed');
        return auth === 'Bearer good' ? { userId: USER_ID } : null;
      },
    });
    handlerServer = await listen(handler.node);

    // Answers the handler cannot produce, by path.
    statusServer = await listen((req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '/';
      const status = /^\/status\/(\d+)$/.exec(url);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end('{"error":"x"}');
      } else if (url === '/not-json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>login page</html>');
      } else if (url === '/no-token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ userId: USER_ID, expiresAt: 1 }));
      } else if (url === '/empty-token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: '' }));
      } else if (url === '/numeric-token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 42 }));
      } else if (url === '/null') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('null');
      } else if (url === '/hang') {
        // Never answers; records when the client gives up.
        onHang?.({ closed: new Promise((resolve) => res.once('close', () => resolve())) });
      } else {
        res.writeHead(404).end();
      }
    });

    // A port that was free a moment ago and is closed now: connection refused.
    const closed = await listen(() => {});
    closedOrigin = closed.origin;
    await closed.close();
  });

  afterAll(async () => {
    await handlerServer.close();
    await statusServer.close();
  });

  function urlAuth(tokenUrl: string, tokenRequestInit?: Extract<JwtAuth, { tokenUrl: string }>['tokenRequestInit']): JwtAuth {
    return { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, tokenUrl, ...(tokenRequestInit ? { tokenRequestInit } : {}) };
  }

  it('POSTs {reason} with the tokenRequestInit headers and resolves with the token of a 200', async () => {
    seen.length = 0;
    const { source, clock } = setup(
      urlAuth(`${handlerServer.origin}/api/apirtc-token`, { headers: { Authorization: 'Bearer good', 'X-App': 'demo' } }),
    );
    const token = await source.get('renew', new AbortController().signal);
    expect(seen).toHaveLength(1);
    const request = seen[0];
    expect(request?.method).toBe('POST');
    expect(request?.reason).toBe('renew');
    expect(JSON.parse(request?.body ?? 'null')).toEqual({ reason: 'renew' });
    expect(request?.headers).toMatchObject({ authorization: 'Bearer good', 'x-app': 'demo', accept: 'application/json' });
    // No JSON content type: a cross-origin request stays "simple" (no preflight).
    expect(request?.headers['content-type']).toMatch(/^text\/plain/);

    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: API_KEY, aud: 'apiRTC', grants: { [USER_ID_GRANT]: USER_ID } });
    // What the engine does next with it: it is a valid ApiRTC token for this identity.
    expect(decodeApiRtcToken(token, { apiKey: API_KEY, userId: USER_ID }, Date.now()).exp).toBe((claims.iat ?? 0) + 600);
    expect(clock.pending).toBe(0);
  });

  it('accepts tokenRequestInit headers as a Headers object or as pairs', async () => {
    seen.length = 0;
    const asHeaders = setup(urlAuth(handlerServer.origin, { headers: new Headers({ authorization: 'Bearer good', 'x-form': 'headers' }) }));
    await expect(asHeaders.source.get('initial', new AbortController().signal)).resolves.toMatch(/^eyJ/);
    const asPairs = setup(urlAuth(handlerServer.origin, { headers: [['Authorization', 'Bearer good'], ['X-Form', 'pairs']] }));
    await expect(asPairs.source.get('initial', new AbortController().signal)).resolves.toMatch(/^eyJ/);
    expect(seen.map((s) => s.headers['x-form'])).toEqual(['headers', 'pairs']);
  });

  it('uses the `fetch` option when given', async () => {
    const fetchSpy = vi.fn<typeof fetch>((input, init) => fetch(input, init));
    const { source } = setup(urlAuth(handlerServer.origin, { headers: { authorization: 'Bearer good' } }), { fetch: fetchSpy });
    await expect(source.get('initial', new AbortController().signal)).resolves.toMatch(/^eyJ/);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(url).toBe(handlerServer.origin);
    expect(init).toMatchObject({ method: 'POST', body: '{"reason":"initial"}' });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('single flight over HTTP: concurrent get() calls make one request', async () => {
    seen.length = 0;
    const { source } = setup(urlAuth(handlerServer.origin, { headers: { authorization: 'Bearer good' } }));
    const tokens = await Promise.all([1, 2, 3].map(() => source.get('initial', new AbortController().signal)));
    expect(seen).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('401 (no session on the app) is TOKEN_SOURCE_FAILED, not retryable', async () => {
    const { source } = setup(urlAuth(handlerServer.origin));
    const error = await rejection(source.get('initial', new AbortController().signal));
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: false, message: expect.stringContaining('401') });
  });

  it('403 from authorize is TOKEN_SOURCE_FAILED, not retryable', async () => {
    const { source } = setup(urlAuth(handlerServer.origin, { headers: { authorization: 'Bearer forbidden' } }));
    await expect(source.get('initial', new AbortController().signal)).rejects.toMatchObject({
      code: 'TOKEN_SOURCE_FAILED',
      retryable: false,
      message: expect.stringContaining('403'),
    });
  });

  it('500 from the handler (authorize threw) is TOKEN_SOURCE_FAILED, retryable', async () => {
    const { source } = setup(urlAuth(handlerServer.origin, { headers: { authorization: 'Bearer crash' } }));
    await expect(source.get('initial', new AbortController().signal)).rejects.toMatchObject({
      code: 'TOKEN_SOURCE_FAILED',
      retryable: true,
      message: expect.stringContaining('500'),
    });
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
  ])('HTTP %i is TOKEN_SOURCE_FAILED with retryable %s', async (status, retryable) => {
    const { source } = setup(urlAuth(`${statusServer.origin}/status/${status}`));
    const error = await rejection(source.get('retry', new AbortController().signal));
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable, message: expect.stringContaining(String(status)) });
  });

  it('a 200 whose body is not JSON is TOKEN_SOURCE_FAILED, not retryable, with the parse error as cause', async () => {
    const { source } = setup(urlAuth(`${statusServer.origin}/not-json`));
    const error = await rejection(source.get('initial', new AbortController().signal));
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: false, message: expect.stringContaining('not JSON') });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('a 200 whose body is cut off while being read may pass: TOKEN_SOURCE_FAILED, retryable', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"token":"eyJ'));
        controller.error(new TypeError('terminated'));
      },
    });
    const cut = vi.fn(async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { source } = setup(urlAuth('http://127.0.0.1:9/token'), { fetch: cut });
    const error = await rejection(source.get('initial', new AbortController().signal));
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true, message: expect.stringContaining('reading') });
  });

  it.each(['/no-token', '/empty-token', '/numeric-token', '/null'])(
    'a 200 without a "token" string (%s) is TOKEN_SOURCE_FAILED, not retryable',
    async (path) => {
      const { source } = setup(urlAuth(`${statusServer.origin}${path}`));
      await expect(source.get('initial', new AbortController().signal)).rejects.toMatchObject({
        code: 'TOKEN_SOURCE_FAILED',
        retryable: false,
        message: expect.stringContaining('"token"'),
      });
    },
  );

  it('a network error (connection refused) is TOKEN_SOURCE_FAILED, retryable, with the fetch error as cause', async () => {
    const { source } = setup(urlAuth(`${closedOrigin}/token`));
    const error = await rejection(source.get('initial', new AbortController().signal));
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('times out on an endpoint that never answers: retryable TOKEN_SOURCE_FAILED, and the request is closed', async () => {
    const arrived = nextHang();
    const { source, clock } = setup(urlAuth(`${statusServer.origin}/hang`));
    const result = rejection(source.get('initial', new AbortController().signal));
    const { closed } = await arrived;
    await clock.advance(TIMEOUT_MS);
    const error = await result;
    expect(error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: true, message: expect.stringContaining('took longer') });
    await expect(closed).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('when its only caller aborts, the HTTP request is aborted too', async () => {
    const arrived = nextHang();
    const { source } = setup(urlAuth(`${statusServer.origin}/hang`));
    const caller = new AbortController();
    const result = rejection(source.get('initial', caller.signal));
    const { closed } = await arrived;
    caller.abort();
    await expect(result).resolves.toMatchObject({ code: 'ABORTED' });
    // The server sees the connection go away: nothing keeps waiting for the answer.
    await expect(closed).resolves.toBeUndefined();
  });
});

describe('createTokenSource: what the token endpoint\'s answer says besides the token', () => {
  const endpoint = (answer: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const fetchStub = vi.fn(async () => Response.json(answer, { headers }));
    return setup({ mode: 'jwt', apiKey: API_KEY, userId: USER_ID, tokenUrl: 'http://127.0.0.1:9/token' }, { fetch: fetchStub });
  };

  it('reads the server\'s clock from the Date header (to the second), and none without one', async () => {
    const { sourced, clock } = endpoint({ token: 'a.b.c', userId: USER_ID }, { date: new Date(Date.UTC(2026, 10, 28, 14, 0, 0)).toUTCString() });
    const { serverOffset } = await sourced.get('initial', new AbortController().signal);
    expect(serverOffset).toBe(Date.UTC(2026, 10, 28, 14, 0, 0) + 500 - clock.now()); // FakeClock starts at 12:00
    await expect(endpoint({ token: 'a.b.c' }).sourced.get('initial', new AbortController().signal)).resolves.toEqual({ token: 'a.b.c', serverOffset: undefined });
    const far = endpoint({ token: 'a.b.c' }, { date: 'Thu, 01 Jan 1970 00:00:00 GMT' });
    await expect(far.sourced.get('initial', new AbortController().signal)).resolves.toMatchObject({ serverOffset: undefined });
  });

  it('a token for another user than auth.userId is refused clearly, before register()', async () => {
    const { source } = endpoint({ token: 'a.b.c', userId: 'mallory' });
    await expect(source.get('initial', new AbortController().signal)).rejects.toMatchObject({
      code: 'TOKEN_SOURCE_FAILED',
      retryable: false,
      message: `the token endpoint answered with a token for user "mallory", not for auth.userId "${USER_ID}"`,
    });
  });

  it('an apiKey-wide token is said so (scope apiKey, userId ApiKey_Token) and accepted for any user', async () => {
    const { source } = endpoint({ token: 'a.b.c', userId: 'ApiKey_Token', scope: 'apiKey' });
    await expect(source.get('initial', new AbortController().signal)).resolves.toBe('a.b.c');
    const unsaid = endpoint({ token: 'a.b.c', userId: 'ApiKey_Token' });
    await expect(unsaid.source.get('initial', new AbortController().signal)).rejects.toMatchObject({ code: 'TOKEN_SOURCE_FAILED' });
  });
});
