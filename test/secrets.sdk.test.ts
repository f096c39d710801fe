/**
 * Secrets never leak: the engine (with the real SDK, loaded by the engine's own loader, which sets the SDK's
 * log level), the provider and the token handler run through success and failure paths while everything
 * they emit is captured: every console call (the SDK's own warn/error output included), every onEvent
 * event, every snapshot, the provider's rendered DOM, every thrown or rejected error serialized with its
 * cause chain, every HTTP error body, and the cloud's records. Then none of it may contain a password, the
 * signing secret, or any token that was handed out (whole, or its signature segment).
 * A positive control at the end raises the SDK's log level to debug and checks that the capture does see
 * the token then: the scan is able to find what it looks for.
 */
import { createElement } from 'react';
import { act, cleanup, render } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthProvider, useApiRtcSession } from '../src/index.js';
import { SessionEngine } from '../src/core/engine/store.js';
import type { SessionEngineOptions } from '../src/core/options.js';
import type { SessionSnapshot } from '../src/core/state.js';
import { createApiRtcToken, createTokenHandler, type Authorize } from '../src/server/index.js';
import { setupLocalCloud, waitForNoSessions } from './support/cloud.js';
import { untilState } from './support/engine.js';
import { startTokenServer, type ScriptedTokenServer } from './support/token-server.js';

// Distinctive values: a hit in the capture can only be a leak.
const API_KEY = 'secrets-api-key';
const SECRET = 'S3cret-of-the-apiKey-q8Zt2w';
const WRONG_SECRET = 'Wr0ng-secret-k4Jm9p';
const LOGIN = 'dora@example.test';
const PASSWORD = 'Dora-pa55word-x7Vb';
const WRONG_PASSWORD = 'Wr0ng-pa55word-c3Nd';
const LOGIN_USER_ID = '3000001';
const USER = 'dora';

const fixture = setupLocalCloud({
  apiKeys: { [API_KEY]: SECRET },
  users: [{ login: LOGIN, password: PASSWORD, userId: LOGIN_USER_ID }],
});

// ---- capture -------------------------------------------------------------------------------------------

/** Everything emitted, as text. */
const emitted: string[] = [];
/** Every token handed to the engine (by getToken, the token endpoint, or a prop). */
const handedOut = new Set<string>();

/** Text of anything, following own properties (errors: name, message, stack, cause...) with a cycle guard. */
function serialize(value: unknown, seen = new WeakSet<object>(), depth = 0): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (seen.has(value) || depth > 12) return '[seen]';
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.name, value.message, value.stack ?? '');
  for (const key of Object.getOwnPropertyNames(value)) {
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    parts.push(`${key}=${serialize(item, seen, depth + 1)}`);
  }
  return `{${parts.join(' ')}}`;
}

/** A snapshot as an app would log or render it: the SDK's own objects (which hold the token) by id only. */
function snapshotText(state: SessionSnapshot): string {
  const { session, userAgent, register: _r, unregister: _u, renew: _n, ...rest } = state;
  return serialize({ ...rest, sessionId: session?.getId(), hasUserAgent: userAgent !== undefined });
}

const LEVELS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const originals = new Map<(typeof LEVELS)[number], (...args: unknown[]) => void>();
/** While set, captured console calls are not printed (the positive control's debug flood). */
let quiet = false;
let consoleCalls = 0;
for (const level of LEVELS) {
  const original = console[level];
  originals.set(level, original);
  console[level] = (...args: unknown[]) => {
    consoleCalls += 1;
    emitted.push(`console.${level}: ${args.map((arg) => serialize(arg)).join(' ')}`);
    if (!quiet) original.apply(console, args);
  };
}

afterAll(() => {
  for (const [level, original] of originals) console[level] = original;
  console.log(`secrets scan: ${scanned.lines} lines captured (${scanned.console} console calls), ${scanned.tokens} tokens and 4 secrets scanned for, ${scanned.found} found`);
});

const scanned = { lines: 0, console: 0, tokens: 0, found: -1 };

/** The secrets, and every token handed out (whole, and its signature), found in `texts`. */
function findSecrets(texts: readonly string[]): string[] {
  const needles = [PASSWORD, WRONG_PASSWORD, SECRET, WRONG_SECRET];
  for (const token of handedOut) needles.push(token, token.split('.')[2] ?? token);
  const all = texts.join('\n');
  return needles.filter((needle) => needle.length >= 16 && all.includes(needle));
}

// ---- fixtures ------------------------------------------------------------------------------------------

let tokens: ScriptedTokenServer;
let authorizeMode: 'ok' | 'throw' | 'bad-id' = 'ok';
const engines: SessionEngine[] = [];

const sign = async (options: { secret?: string; expiresIn?: number; issuedAgoMs?: number } = {}) => {
  const token = await createApiRtcToken({
    apiKey: API_KEY,
    secret: options.secret ?? SECRET,
    userId: USER,
    expiresIn: options.expiresIn ?? 600,
    now: () => fixture.cloud.now() - (options.issuedAgoMs ?? 0),
  });
  handedOut.add(token);
  return token;
};

beforeAll(async () => {
  // The SDK needs the socket.io client as the global `io` (docs/testing.md). Deliberately not
  // test/support's loadApiRtc(): that sets the SDK's log level, which must be the engine loader's job here.
  const { io } = await import('socket.io-client');
  (globalThis as { io?: unknown }).io = io;
  const authorize: Authorize = () => {
    if (authorizeMode === 'throw') throw new Error('the session store is unavailable');
    if (authorizeMode === 'bad-id') return { userId: ' dora ' };
    return { userId: USER };
  };
  // No onError: the default one (console.error) is part of what is scanned.
  tokens = await startTokenServer(createTokenHandler({ apiKey: API_KEY, secret: SECRET, expiresIn: 600, now: () => fixture.cloud.now(), authorize }));
});

afterAll(async () => {
  await tokens.close();
});

afterEach(async () => {
  cleanup();
  for (const engine of engines.splice(0)) await engine.unregister().catch((error: unknown) => emitted.push(serialize(error)));
  authorizeMode = 'ok';
  tokens.answers.splice(0);
  await waitForNoSessions(fixture.cloud);
  emitted.push(`cloud: ${serialize(fixture.cloud.state())}`);
  for (const body of tokens.errorBodies.splice(0)) emitted.push(`token endpoint answered: ${body}`);
});

/** The engine's fetch (tokenUrl): tokens it receives are scanned for, error bodies are part of the capture. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  if (response.ok) {
    try {
      const { token } = JSON.parse(text) as { token?: unknown };
      if (typeof token === 'string') handedOut.add(token);
    } catch {
      // not JSON: the engine reports it
    }
  } else {
    emitted.push(`token endpoint answered ${response.status}: ${text}`);
  }
  return response;
};

/** An engine whose events, snapshots, and action results are captured. */
function engine(options: Omit<SessionEngineOptions, 'cloudUrl'>): SessionEngine {
  const subject = new SessionEngine({
    cloudUrl: fixture.cloud.url,
    fetch: recordingFetch,
    registerTimeoutMs: 5_000,
    reconnectTimeoutMs: 1_500,
    retry: { baseDelayMs: 100, maxDelayMs: 400 },
    onEvent: (event) => emitted.push(`event: ${serialize(event)}`),
    ...options,
  });
  subject.subscribe(() => emitted.push(`snapshot: ${snapshotText(subject.getSnapshot())}`));
  engines.push(subject);
  return subject;
}

/** Runs an action and captures its result or rejection (with its cause chain). */
async function captured<T>(action: Promise<T>): Promise<T | unknown> {
  try {
    const value = await action;
    emitted.push(`resolved: ${typeof value === 'object' && value !== null && 'getId' in value ? `session ${(value as { getId(): string }).getId()}` : serialize(value)}`);
    return value;
  } catch (error) {
    emitted.push(`rejected: ${serialize(error)}`);
    return error;
  }
}

const getTokenAuth = (getToken: () => Promise<string>) => ({ mode: 'jwt' as const, apiKey: API_KEY, userId: USER, getToken });

// ---- the paths -----------------------------------------------------------------------------------------

describe('success and failure paths, everything captured', () => {
  it('login: registers, renews, unregisters', async () => {
    const subject = engine({ auth: { mode: 'login', login: LOGIN, password: PASSWORD } });
    expect(await captured(subject.register())).toMatchObject({ getId: expect.any(Function) });
    await captured(subject.renew());
    await captured(subject.unregister());
  });

  it('login: a wrong password is UNAUTHORIZED (the SDK logs the failure at error level)', async () => {
    const subject = engine({ auth: { mode: 'login', login: LOGIN, password: WRONG_PASSWORD } });
    expect(await captured(subject.register())).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('the provider with a wrong password: what it renders holds no password', async () => {
    function Show() {
      const { status, error } = useApiRtcSession();
      return createElement('pre', null, JSON.stringify({ status, error: error && { ...error, message: error.message, cause: serialize(error.cause) } }));
    }
    const view = render(createElement(AuthProvider, { auth: { mode: 'login', login: LOGIN, password: WRONG_PASSWORD }, cloudUrl: fixture.cloud.url }, createElement(Show)));
    await view.findByText(/"status":"error"/, undefined, { timeout: 10_000 });
    emitted.push(`rendered: ${view.container.innerHTML}`);
    await act(async () => view.unmount());
  });

  it('jwt getToken: registers, renews, unregisters', async () => {
    const subject = engine({ auth: getTokenAuth(() => sign()) });
    await captured(subject.register());
    await captured(subject.renew());
    await captured(subject.unregister());
  });

  it('jwt getToken signed with the wrong secret: refused twice, UNAUTHORIZED (the SDK logs the refusal)', async () => {
    const subject = engine({ auth: getTokenAuth(() => sign({ secret: WRONG_SECRET })) });
    expect(await captured(subject.register())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(fixture.cloud.refusals).toHaveLength(2);
  });

  it('jwt getToken that throws an error: TOKEN_SOURCE_FAILED, retried, then registered', async () => {
    let calls = 0;
    const subject = engine({
      auth: getTokenAuth(async () => {
        calls += 1;
        if (calls === 1) throw new TypeError('Failed to fetch');
        return sign();
      }),
    });
    await captured(subject.register());
  });

  it('a literal token that has expired: TOKEN_EXPIRED', async () => {
    const token = await sign({ expiresIn: 60, issuedAgoMs: 3_600_000 });
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, token } });
    expect(await captured(subject.register())).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('a literal token for another user and a malformed one: INVALID_TOKEN', async () => {
    const other = await createApiRtcToken({ apiKey: API_KEY, secret: SECRET, userId: 'mallory', now: () => fixture.cloud.now() });
    handedOut.add(other);
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, token: other } });
    expect(await captured(subject.register())).toMatchObject({ code: 'INVALID_TOKEN' });
    const signed = await sign();
    const malformed = `${signed.split('.')[0]}.bm90IGpzb24.${signed.split('.')[2]}`; // payload "not json", real signature
    handedOut.add(malformed);
    const second = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, token: malformed } });
    expect(await captured(second.register())).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('a reconnect refused after expiry: fresh token, new UserAgent (the SDK re-sends the old token)', async () => {
    const subject = engine({ auth: getTokenAuth(() => sign({ expiresIn: 60 })) });
    const first = await captured(subject.register());
    fixture.cloud.advanceClock(3_600_000);
    const refused = fixture.cloud.waitFor('refusal');
    fixture.cloud.faults.drop();
    await refused;
    await untilState(subject, (s) => s.status === 'registered' && s.session !== first);
    fixture.cloud.resetClock();
  }, 20_000);

  it('tokenUrl: registers and renews through the real handler', async () => {
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, tokenUrl: tokens.url } });
    await captured(subject.register());
    await captured(subject.renew());
    expect(tokens.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('tokenUrl: authorize throws (500, the handler logs it with console.error), then recovers', async () => {
    authorizeMode = 'throw';
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, tokenUrl: tokens.url } });
    subject.start();
    const retrying = await untilState(subject, (s) => s.status === 'retrying');
    expect(retrying.error).toMatchObject({ code: 'TOKEN_SOURCE_FAILED' });
    authorizeMode = 'ok';
    await untilState(subject, (s) => s.status === 'registered');
  });

  it('tokenUrl: authorize returns an invalid user id (500 with INVALID_CONFIG to onError)', async () => {
    authorizeMode = 'bad-id';
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, tokenUrl: tokens.url } });
    subject.start();
    await untilState(subject, (s) => s.status === 'retrying');
  });

  it('tokenUrl: the endpoint answers 401 and 500 bodies of its own', async () => {
    tokens.answers.push({ kind: 'status', status: 500 }, { kind: 'status', status: 401 });
    const subject = engine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, tokenUrl: tokens.url } });
    expect(await captured(subject.register())).toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: false });
  });

  it('the token handler called directly: 200, 400, 401, 405 and 413 answers', async () => {
    const handler = createTokenHandler({
      apiKey: API_KEY,
      secret: SECRET,
      authorize: (request) => (request.headers.get('x-user') === 'dora' ? USER : null),
    });
    const answers: Array<[RequestInit, Record<string, string>]> = [
      [{ method: 'POST', body: '{"reason":"initial"}' }, { 'x-user': 'dora' }],
      [{ method: 'POST', body: 'not json' }, {}],
      [{ method: 'POST', body: '{}' }, {}],
      [{ method: 'GET' }, {}],
      [{ method: 'POST', body: 'x'.repeat(10_000) }, {}],
    ];
    for (const [init, headers] of answers) {
      const response = await handler(new Request('http://app.example/token', { ...init, headers }));
      const text = await response.text();
      if (response.status === 200) handedOut.add((JSON.parse(text) as { token: string }).token);
      else emitted.push(`handler answered ${response.status}: ${text} ${serialize([...response.headers])}`);
    }
  });
});

// ---- the verdict ---------------------------------------------------------------------------------------

describe('the scan', () => {
  it('found no password, secret or token in anything emitted', () => {
    expect(handedOut.size).toBeGreaterThanOrEqual(10);
    expect(emitted.length).toBeGreaterThan(100);
    // The SDK's own warn/error lines were captured (so their absence of secrets means something).
    expect(emitted.some((line) => line.startsWith('console.error:') && line.includes('apiRTC('))).toBe(true);
    const found = findSecrets(emitted);
    Object.assign(scanned, { lines: emitted.length, console: consoleCalls, tokens: handedOut.size, found: found.length });
    expect(found).toEqual([]);
  });

  it('positive control: with the SDK at debug level, the capture does see the token (so the scan works)', async () => {
    const module = (await import('@apirtc/apirtc')) as unknown as { default?: typeof import('@apirtc/apirtc') } & typeof import('@apirtc/apirtc');
    const apiRTC = module.default ?? module;
    const before = emitted.length;
    apiRTC.setLogLevel(apiRTC.LOG_LEVEL_DEBUG);
    quiet = true;
    try {
      const subject = engine({ auth: getTokenAuth(() => sign()) });
      await subject.register();
      await subject.unregister();
    } finally {
      apiRTC.setLogLevel(apiRTC.LOG_LEVEL_WARN);
      quiet = false;
    }
    const found = findSecrets(emitted.slice(before));
    emitted.splice(before); // not part of the real run
    expect(found.length).toBeGreaterThan(0);
  });
});
