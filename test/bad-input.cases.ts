/**
 * The bad-input table: every validation error of every public entry, with the code, field and message a
 * caller gets, plus hostile JWTs. One row = one test (test/bad-input.test.ts); the same rows print the
 * markdown table of docs/guarantees.md (scripts/bad-input-table.ts). No vitest import here, so the script
 * can run the rows with tsx.
 *
 * Entries covered: the `auth` prop of <AuthProvider> / SessionEngine (through `engine.register()` on the
 * fake SDK: it must fail before any network call), the literal-token and getToken paths (hostile JWTs,
 * through the engine and `decodeApiRtcToken`), `createApiRtcToken`, `createTokenHandler` (options at
 * creation, authorize's answer and the request at request time), `startApiRtcCloud`, `cloud.faults.*`,
 * `cloud.signDevToken`, and the `npm run cloud` arguments.
 *
 * A row with `bug` documents a defect: `expected` is what should happen, `bug` what happens instead; its
 * test is `it.fails` until src/ is fixed.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { parseCloudCliArgs } from '../src/cloud/cli-options.js';
import { LocalCloudConfigError, startApiRtcCloud, type ApiRtcCloud } from '../src/cloud/index.js';
import { ApiRtcAuthError } from '../src/core/errors.js';
import { decodeApiRtcToken } from '../src/core/jwt.js';
import { SessionEngine } from '../src/core/engine/store.js';
import type { SessionEngineOptions } from '../src/core/options.js';
import { createApiRtcToken, createTokenHandler, type CreateApiRtcTokenOptions, type TokenHandlerOptions } from '../src/server/index.js';
import { FakeClock, FakeEnvironment, flush } from './support/fake-clock.js';
import { FakeSdk } from './support/fake-sdk.js';

export type Outcome =
  /** An ApiRtcAuthError was thrown or rejected (or put in state). */
  | { kind: 'error'; code: string; field: string | undefined; message: string }
  /** The token endpoint answered; `reported` is the error handed to onError behind a 500. */
  | { kind: 'http'; status: number; body: string; reported?: { code: string; field: string | undefined; message: string } }
  /** Not refused: what happened instead. */
  | { kind: 'accepted'; detail: string };

export interface BadInputCase {
  /** The public entry. */
  entry: string;
  /** What is wrong, printable. */
  input: string;
  run: () => Promise<Outcome>;
  expected: Outcome;
  /** Present when this row documents a bug: what happens instead of `expected`. */
  bug?: string;
  /** Strings that must not appear in the outcome (secrets, tokens). */
  secrets?: string[];
}

// ---------------------------------------------------------------------------------------------------------
// helpers

const API_KEY = 'bad-input-api-key';
const SECRET = 'bad-input-secret-never-in-a-message';
const USER = 'alice';

function describeThrown(error: unknown): Outcome {
  if (error instanceof ApiRtcAuthError) return { kind: 'error', code: error.code, field: error.field, message: error.message };
  // The local cloud has its own error type (it shares no code with the package): the same code and field.
  if (error instanceof LocalCloudConfigError) return { kind: 'error', code: error.code, field: error.field, message: error.message };
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'error', code: `not an ApiRtcAuthError (${text})`, field: undefined, message: text };
}

async function outcomeOf(run: () => unknown): Promise<Outcome> {
  try {
    const value = await run();
    return { kind: 'accepted', detail: typeof value === 'string' ? value : 'returned normally' };
  } catch (error) {
    return describeThrown(error);
  }
}

const err = (code: string, field: string | undefined, message: string): Outcome => ({ kind: 'error', code, field, message });
const config = (field: string, message: string) => err('INVALID_CONFIG', field, message);
const invalidToken = (message: string) => err('INVALID_TOKEN', 'token', message);

const required = (field: string) => config(field, `${field} is required and must be a non-empty string`);
const padded = (field: string) => config(field, `${field} must not start or end with whitespace`);
const spaced = (field: string) => config(field, `${field} must not contain whitespace`);
const URL_UNSAFE = (field: string) => config(field, `${field} may only contain letters, digits, "_", ".", "@" and "-" (the SDK sends it unescaped in a URL)`);
const colon = (field: string) => config(field, `${field} must not contain ':'`);
const API_KEY_UNSAFE = config('auth.apiKey', 'auth.apiKey may only contain letters, digits, "_", ".", "~" and "-" (the SDK sends it unescaped in a URL)');

/**
 * `engine.register()` with the fake SDK, the fake clock and a fetch that must not be called. A refusal
 * must come before any network call (no ua.register(), no fetch) and be the error in state.
 */
async function throughEngine(options: Partial<SessionEngineOptions>): Promise<Outcome> {
  const sdk = new FakeSdk();
  const fetched: string[] = [];
  const engine = new SessionEngine({
    auth: { mode: 'apiKey', apiKey: API_KEY },
    cloudUrl: 'http://127.0.0.1:9',
    clock: new FakeClock(Date.now()),
    environment: new FakeEnvironment(),
    loadSdk: sdk.load,
    random: () => 0.5,
    fetch: async (url) => {
      fetched.push(String(url));
      throw new Error('no network in the bad-input table');
    },
    ...options,
  });
  try {
    const session = await engine.register();
    const call = sdk.registerCalls.at(-1);
    const token = call?.options.token;
    return {
      kind: 'accepted',
      detail: `registered: ua.register() called (session ${session.getId()}${typeof token === 'string' ? `, token of ${token.length} chars` : ''})`,
    };
  } catch (error) {
    const outcome = describeThrown(error);
    const state = engine.getSnapshot();
    if (sdk.registerCalls.length > 0 || fetched.length > 0) {
      return { kind: 'accepted', detail: `reached the network first (${sdk.registerCalls.length} register(), ${fetched.length} fetch), then ${outcome.kind === 'error' ? outcome.code : '?'}` };
    }
    if (state.status !== 'error' || state.error !== error) {
      return { kind: 'accepted', detail: `rejected, but the state is ${state.status} with ${state.error?.code ?? 'no error'}` };
    }
    return outcome;
  } finally {
    await engine.unregister();
    await flush();
  }
}

const throughAuth = (auth: unknown) => () => throughEngine({ auth: auth as SessionEngineOptions['auth'] });

const b64url = (text: string) => Buffer.from(text).toString('base64url');
const NOW_S = Math.floor(Date.now() / 1000);

/** The vendor's claims for USER under API_KEY, as raw JSON text, with `extra` merged in. */
function claimsText(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ grants: { apiRTC_UserAgent_Id: USER }, sub: API_KEY, aud: 'apiRTC', iat: NOW_S, exp: NOW_S + 600, jti: randomUUID(), ...extra });
}

/** A token assembled by hand from raw header and payload text, HS256-signed with SECRET. */
function rawJwt(headerText: string, payloadText: string): string {
  const body = `${b64url(headerText)}.${b64url(payloadText)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const HS256 = '{"alg":"HS256","typ":"JWT"}';
const VALID = rawJwt(HS256, claimsText());

/**
 * A hostile token through the engine's literal-token path, and through decodeApiRtcToken: both must
 * agree. Through the engine it must fail before any network call.
 */
function throughTokenPaths(token: unknown) {
  return async (): Promise<Outcome> => {
    const direct = await outcomeOf(() => {
      decodeApiRtcToken(token, { apiKey: API_KEY, userId: USER }, Date.now());
      return 'decoded';
    });
    const engine = await throughEngine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, token: token as string } });
    if (direct.kind === 'error' && engine.kind === 'error' && (direct.code !== engine.code || direct.message !== engine.message)) {
      return { kind: 'accepted', detail: `decodeApiRtcToken says ${direct.code}: ${direct.message}, the engine ${engine.code}: ${engine.message}` };
    }
    return engine;
  };
}

/** What a getToken that resolves with `value` (not a JWT string) leads to. */
const throughGetToken = (value: unknown) => () =>
  throughEngine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, getToken: async () => value as string } });

const tokenOptions = (overrides: Record<string, unknown>) =>
  ({ apiKey: API_KEY, secret: SECRET, userId: USER, ...overrides }) as unknown as CreateApiRtcTokenOptions;

const signing = (overrides: Record<string, unknown>) => () => outcomeOf(() => createApiRtcToken(tokenOptions(overrides)));

const authorizeNobody = () => null;
const handlerOptions = (overrides: Record<string, unknown>) =>
  ({ apiKey: API_KEY, secret: SECRET, authorize: authorizeNobody, onError: () => {}, ...overrides }) as unknown as TokenHandlerOptions;

const creatingHandler = (overrides: Record<string, unknown>) => () => outcomeOf(() => createTokenHandler(handlerOptions(overrides)));

/** One request to a token handler (fetch API, no server needed); the error behind a 500 is what onError got. */
function request(init: RequestInit & { url?: string }, overrides: Record<string, unknown> = {}) {
  return async (): Promise<Outcome> => {
    let reported: unknown;
    const handler = createTokenHandler(handlerOptions({ authorize: () => USER, onError: (error: unknown) => (reported = error), ...overrides }));
    const response = await handler(new Request(init.url ?? 'http://app.example/api/apirtc-token', init));
    const body = await response.text();
    const outcome: Outcome = { kind: 'http', status: response.status, body };
    if (reported !== undefined) {
      const described = describeThrown(reported);
      if (described.kind === 'error') outcome.reported = { code: described.code, field: described.field, message: described.message };
    }
    return outcome;
  };
}

const authorizeAnswers = (decision: unknown) => request({ method: 'POST', body: '{"reason":"initial"}' }, { authorize: () => decision });
const AUTHORIZE_MESSAGE =
  'authorize() must return { userId } or a userId string (letters, digits, "_", ".", "@", "-": the SDK sends it unescaped in a URL), a Response, or null/undefined/false to refuse';
const internal500 = (field: string, message: string): Outcome => ({
  kind: 'http',
  status: 500,
  body: '{"error":"internal error"}',
  reported: { code: 'INVALID_CONFIG', field, message },
});

const startingCloud = (options: unknown) => async (): Promise<Outcome> => {
  let cloud: ApiRtcCloud | undefined;
  try {
    cloud = await startApiRtcCloud(options as Parameters<typeof startApiRtcCloud>[0]);
    return { kind: 'accepted', detail: `listening on ${cloud.url}` };
  } catch (error) {
    return describeThrown(error);
  } finally {
    await cloud?.close();
  }
};

/** A call on a running cloud (started and closed for the row). */
const onCloud = (call: (cloud: ApiRtcCloud) => unknown) => async (): Promise<Outcome> => {
  const cloud = await startApiRtcCloud({ apiKeys: { [API_KEY]: SECRET } });
  try {
    return await outcomeOf(() => call(cloud));
  } finally {
    await cloud.close();
  }
};

const cli = (argv: string[], env: Record<string, string> = {}) => () => outcomeOf(() => parseCloudCliArgs(argv, env));

const row = (entry: string, input: string, run: () => Promise<Outcome>, expected: Outcome, extra: Partial<BadInputCase> = {}): BadInputCase => ({
  entry,
  input,
  run,
  expected,
  ...extra,
});

// ---------------------------------------------------------------------------------------------------------
// the table

const AUTH = 'auth prop (AuthProvider / SessionEngine)';
const AUTH_REQUIRED = config('auth', "auth is required: { mode: 'apiKey' | 'login' | 'jwt', ... }");
const MODE = config('auth.mode', "auth.mode must be 'apiKey', 'login' or 'jwt'");
const ONE_SOURCE = config('auth.token', 'auth in jwt mode needs exactly one of token, getToken or tokenUrl');
const apiKeyAuth = (apiKey: unknown) => ({ mode: 'apiKey', apiKey });
const loginAuth = (login: unknown, password: unknown = 'a-password') => ({ mode: 'login', login, password });
const jwtAuth = (extra: Record<string, unknown>) => ({ mode: 'jwt', apiKey: API_KEY, userId: USER, ...extra });
const getToken = async () => VALID;
/** A getToken handing out valid tokens for `userId`. */
const tokenFor = (userId: string) => async () => rawJwt(HS256, claimsText({ grants: { apiRTC_UserAgent_Id: userId } }));
const PASSWORD = 'pw-that-must-never-be-echoed';

const authRows: BadInputCase[] = [
  row(AUTH, 'auth: undefined', throughAuth(undefined), AUTH_REQUIRED),
  row(AUTH, 'auth: null', throughAuth(null), AUTH_REQUIRED),
  row(AUTH, "auth: 'apiKey:my-key' (a string)", throughAuth('apiKey:my-key'), AUTH_REQUIRED),
  row(AUTH, 'auth: 42', throughAuth(42), AUTH_REQUIRED),
  row(AUTH, "auth: { apiKey } (no mode)", throughAuth({ apiKey: API_KEY }), MODE),
  row(AUTH, "mode: 'token'", throughAuth({ mode: 'token', apiKey: API_KEY }), MODE),
  row(AUTH, "mode: 'APIKEY' (case)", throughAuth({ mode: 'APIKEY', apiKey: API_KEY }), MODE),
  // apiKey mode
  row(AUTH, 'apiKey mode, apiKey missing', throughAuth({ mode: 'apiKey' }), required('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey ''", throughAuth(apiKeyAuth('')), required('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey '   '", throughAuth(apiKeyAuth('   ')), required('auth.apiKey')),
  row(AUTH, 'apiKey mode, apiKey 42', throughAuth(apiKeyAuth(42)), required('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey ' my-key' (leading space)", throughAuth(apiKeyAuth(' my-key')), padded('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'my-key\\n' (trailing newline)", throughAuth(apiKeyAuth('my-key\n')), padded('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'my key' (inner space)", throughAuth(apiKeyAuth('my key')), spaced('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'my\\tkey' (inner tab)", throughAuth(apiKeyAuth('my\tkey')), spaced('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'my\\u00a0key' (no-break space)", throughAuth(apiKeyAuth('my\u00a0key')), spaced('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'apiKey:my-key' (':')", throughAuth(apiKeyAuth('apiKey:my-key')), colon('auth.apiKey')),
  row(AUTH, "apiKey mode, apiKey 'a:b' (':')", throughAuth(apiKeyAuth('a:b')), colon('auth.apiKey')),
  // The SDK writes the apiKey unescaped into its handshake URL: '&', '#', '%' and control characters change what the cloud reads.
  row(AUTH, "apiKey mode, apiKey 'key&x=1' ('&')", throughAuth(apiKeyAuth('key&x=1')), API_KEY_UNSAFE),
  row(AUTH, "apiKey mode, apiKey 'key#1' ('#')", throughAuth(apiKeyAuth('key#1')), API_KEY_UNSAFE),
  row(AUTH, "apiKey mode, apiKey 'key%41' ('%')", throughAuth(apiKeyAuth('key%41')), API_KEY_UNSAFE),
  row(AUTH, "apiKey mode, apiKey 'key\\u0007' (a control character)", throughAuth(apiKeyAuth('key\u0007')), API_KEY_UNSAFE),
  row(AUTH, "jwt mode, apiKey 'key&x' ('&')", throughAuth(jwtAuth({ apiKey: 'key&x', getToken })), API_KEY_UNSAFE),
  // login mode
  row(AUTH, 'login mode, login missing', throughAuth({ mode: 'login', password: PASSWORD }), required('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login ''", throughAuth(loginAuth('', PASSWORD)), required('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login ' alice@example.com'", throughAuth(loginAuth(' alice@example.com', PASSWORD)), padded('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login 'alice smith@example.com'", throughAuth(loginAuth('alice smith@example.com', PASSWORD)), spaced('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login 'apirtc:alice' (':')", throughAuth(loginAuth('apirtc:alice', PASSWORD)), colon('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login 'alice:secret' (':')", throughAuth(loginAuth('alice:secret', PASSWORD)), colon('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, "login mode, login ['alice'] (not a string)", throughAuth(loginAuth(['alice'], PASSWORD)), required('auth.login'), { secrets: [PASSWORD] }),
  row(AUTH, 'login mode, password missing', throughAuth({ mode: 'login', login: 'alice' }), config('auth.password', 'auth.password is required and must be a non-empty string')),
  row(AUTH, "login mode, password ''", throughAuth(loginAuth('alice', '')), config('auth.password', 'auth.password is required and must be a non-empty string')),
  row(AUTH, 'login mode, password 1234 (a number)', throughAuth(loginAuth('alice', 1234)), config('auth.password', 'auth.password is required and must be a non-empty string')),
  // jwt mode
  row(AUTH, "jwt mode, apiKey 'my key'", throughAuth(jwtAuth({ apiKey: 'my key', getToken })), spaced('auth.apiKey')),
  row(AUTH, "jwt mode, apiKey 'a:b'", throughAuth(jwtAuth({ apiKey: 'a:b', getToken })), colon('auth.apiKey')),
  row(AUTH, 'jwt mode, userId missing', throughAuth({ mode: 'jwt', apiKey: API_KEY, getToken }), required('auth.userId')),
  row(AUTH, "jwt mode, userId ''", throughAuth(jwtAuth({ userId: '', getToken })), required('auth.userId')),
  row(AUTH, "jwt mode, userId ' alice'", throughAuth(jwtAuth({ userId: ' alice', getToken })), padded('auth.userId')),
  row(AUTH, 'jwt mode, userId 42', throughAuth(jwtAuth({ userId: 42, getToken })), required('auth.userId')),
  row(AUTH, 'jwt mode, no token source', throughAuth(jwtAuth({})), ONE_SOURCE),
  row(AUTH, 'jwt mode, token and getToken', throughAuth(jwtAuth({ token: VALID, getToken })), ONE_SOURCE, { secrets: [VALID] }),
  row(AUTH, 'jwt mode, token, getToken and tokenUrl', throughAuth(jwtAuth({ token: VALID, getToken, tokenUrl: '/t' })), ONE_SOURCE, { secrets: [VALID] }),
  row(AUTH, "jwt mode, getToken '/api/token' (a string)", throughAuth(jwtAuth({ getToken: '/api/token' })), config('auth.getToken', 'auth.getToken must be a function returning a Promise of a JWT')),
  row(AUTH, 'jwt mode, getToken null', throughAuth(jwtAuth({ getToken: null })), config('auth.getToken', 'auth.getToken must be a function returning a Promise of a JWT')),
  row(AUTH, "jwt mode, tokenUrl ''", throughAuth(jwtAuth({ tokenUrl: '' })), required('auth.tokenUrl')),
  row(AUTH, "jwt mode, tokenUrl ' /api/token'", throughAuth(jwtAuth({ tokenUrl: ' /api/token' })), padded('auth.tokenUrl')),
  row(AUTH, "jwt mode, tokenUrl '/api/apirtc token'", throughAuth(jwtAuth({ tokenUrl: '/api/apirtc token' })), spaced('auth.tokenUrl')),
  row(AUTH, 'jwt mode, tokenUrl 42', throughAuth(jwtAuth({ tokenUrl: 42 })), required('auth.tokenUrl')),
  row(AUTH, 'jwt mode, token 42', throughAuth(jwtAuth({ token: 42 })), config('auth.token', 'auth.token must be a JWT string')),
  row(AUTH, 'jwt mode, token null', throughAuth(jwtAuth({ token: null })), config('auth.token', 'auth.token must be a JWT string')),
  row(AUTH, 'jwt mode, token { token: "…" } (an object)', throughAuth(jwtAuth({ token: { token: VALID } })), config('auth.token', 'auth.token must be a JWT string'), {
    secrets: [VALID],
  }),
  // Ids travel unescaped in the SDK's handshake URL (`?channelId=` + id): the cloud reads another id.
  row(AUTH, "jwt mode, userId 'a&b' ('&' ends the id in the SDK's handshake URL)", throughAuth(jwtAuth({ userId: 'a&b', getToken: tokenFor('a&b') })), URL_UNSAFE('auth.userId')),
  row(AUTH, "jwt mode, userId 'a#b' ('#' ends the SDK's handshake URL)", throughAuth(jwtAuth({ userId: 'a#b', getToken: tokenFor('a#b') })), URL_UNSAFE('auth.userId')),
];

const OPTIONS = 'engine options (AuthProvider / SessionEngine)';
const apiKeyOk = { mode: 'apiKey' as const, apiKey: API_KEY };
const TIMING = (field: string) => config(field, `${field} must be a number of milliseconds above 0 and at most 2^31-1`);
const optionRow = (input: string, field: string, options: Partial<SessionEngineOptions>, expected: Outcome = TIMING(field)) =>
  row(OPTIONS, input, () => throughEngine({ auth: apiKeyOk, ...options }), expected);

const NOT_PLAIN = config('registerOptions', "registerOptions must be a plain object of the SDK's register() options");
const NOT_JSON = config('registerOptions.userData', 'registerOptions.userData cannot be sent: it is not serializable as JSON (a cycle, a BigInt...)');
const NOT_HTTP = config('cloudUrl', "cloudUrl must be an http:// or https:// URL (the ApiRTC cloud, or the local cloud's url)");
const unused = (key: string, mode: 'apiKey' | 'login' | 'jwt') =>
  config(`registerOptions.${key}`, `registerOptions.${key} is not used in ${mode} mode: ${mode === 'jwt' ? 'JWT mode registers with auth.userId and a token' : `${mode} mode never sends an id or a token${mode === 'apiKey' ? ' or a password' : ''}`}`);
const cyclic = () => {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
};

// setTimeout fires at once for NaN, negative values and anything above 2^31-1 ms: these would time out at once or loop.
const optionRows: BadInputCase[] = [
  optionRow('registerTimeoutMs: Infinity', 'registerTimeoutMs', { registerTimeoutMs: Number.POSITIVE_INFINITY }),
  optionRow('registerTimeoutMs: NaN', 'registerTimeoutMs', { registerTimeoutMs: Number.NaN }),
  optionRow('registerTimeoutMs: -1', 'registerTimeoutMs', { registerTimeoutMs: -1 }),
  optionRow('registerTimeoutMs: 2^31 (overflows setTimeout)', 'registerTimeoutMs', { registerTimeoutMs: 2 ** 31 }),
  optionRow('tokenTimeoutMs: NaN', 'tokenTimeoutMs', { tokenTimeoutMs: Number.NaN }),
  optionRow('tokenTimeoutMs: 0', 'tokenTimeoutMs', { tokenTimeoutMs: 0 }),
  optionRow('reconnectTimeoutMs: Infinity', 'reconnectTimeoutMs', { reconnectTimeoutMs: Number.POSITIVE_INFINITY }),
  optionRow('retry: { baseDelayMs: NaN }', 'retry.baseDelayMs', { retry: { baseDelayMs: Number.NaN } }),
  optionRow('retry: { maxDelayMs: -1 }', 'retry.maxDelayMs', { retry: { maxDelayMs: -1 } }),
  optionRow('renewal: { leadMs: -5 }', 'renewal.leadMs', { renewal: { leadMs: -5 } }),
  optionRow('renewal: { jitter: 2 }', 'renewal.jitter', { renewal: { jitter: 2 } }, config('renewal.jitter', 'renewal.jitter must be a number from 0 to 1')),
  // What goes to ua.register() besides auth.
  optionRow("registerOptions: 'garbage' (a string: its characters were spread as keys 0..6)", 'registerOptions', { registerOptions: 'garbage' as never }, NOT_PLAIN),
  optionRow('registerOptions: [] (an array)', 'registerOptions', { registerOptions: [] as never }, NOT_PLAIN),
  optionRow('registerOptions: new Map()', 'registerOptions', { registerOptions: new Map() as never }, NOT_PLAIN),
  optionRow('registerOptions.userData: a cycle', 'registerOptions.userData', { registerOptions: { userData: cyclic() } as never }, NOT_JSON),
  optionRow('registerOptions.userData: a BigInt', 'registerOptions.userData', { registerOptions: { userData: { n: BigInt(1) } } as never }, NOT_JSON),
  optionRow('apiKey mode, registerOptions.token (would register as JWT, untracked)', 'registerOptions.token', { registerOptions: { token: VALID } as never }, unused('token', 'apiKey')),
  optionRow('apiKey mode, registerOptions.id', 'registerOptions.id', { registerOptions: { id: 'alice' } as never }, unused('id', 'apiKey')),
  optionRow('apiKey mode, registerOptions.password', 'registerOptions.password', { registerOptions: { password: 'x' } as never }, unused('password', 'apiKey')),
  row(OPTIONS, 'login mode, registerOptions.id', () => throughEngine({ auth: { mode: 'login', login: 'bob', password: 'pw' }, registerOptions: { id: 'alice' } as never }), unused('id', 'login')),
  row(OPTIONS, 'login mode, registerOptions.token', () => throughEngine({ auth: { mode: 'login', login: 'bob', password: 'pw' }, registerOptions: { token: VALID } as never }), unused('token', 'login')),
  row(OPTIONS, 'jwt mode, registerOptions.password', () => throughEngine({ auth: { mode: 'jwt', apiKey: API_KEY, userId: USER, token: VALID }, registerOptions: { password: 'x' } as never }), unused('password', 'jwt')),
  optionRow("cloudUrl: 'cloud.apirtc.com' (no scheme)", 'cloudUrl', { cloudUrl: 'cloud.apirtc.com' }, NOT_HTTP),
  optionRow("cloudUrl: 'ftp://127.0.0.1:9'", 'cloudUrl', { cloudUrl: 'ftp://127.0.0.1:9' }, NOT_HTTP),
  optionRow("cloudUrl: '' ", 'cloudUrl', { cloudUrl: '' }, NOT_HTTP),
  optionRow("registerOptions.cloudUrl: 'ws://127.0.0.1:9'", 'cloudUrl', { cloudUrl: undefined, registerOptions: { cloudUrl: 'ws://127.0.0.1:9' } }, NOT_HTTP),
];

const JWT = 'JWT (literal token prop, decodeApiRtcToken)';
const WELL_FORMED = invalidToken('the token is not a well-formed JWT');
const PADDED_TOKEN = invalidToken('the token starts or ends with whitespace: trim it where it is made');
const UNSIGNED = invalidToken('the token is unsigned (alg "none"); ApiRTC requires HS256');
const NUMERIC = (claim: string) => invalidToken(`the token is not valid for this session: jwt ${claim} is not a valid NumericDate`);
const NO_TOKEN = invalidToken('the token source returned no token (expected a JWT string)');
const [validHeader, validPayload] = VALID.split('.') as [string, string];
const HUGE = rawJwt(HS256, claimsText({ padding: 'x'.repeat(1_000_000) }));
const tokenRow = (input: string, token: string, expected: Outcome, extra: Partial<BadInputCase> = {}) =>
  row(JWT, input, throughTokenPaths(token), expected, { secrets: [token], ...extra });

const jwtRows: BadInputCase[] = [
  tokenRow('alg none, empty signature', `${b64url('{"alg":"none","typ":"JWT"}')}.${validPayload}.`, UNSIGNED),
  tokenRow("alg 'NONE', HS256 signature", rawJwt('{"alg":"NONE","typ":"JWT"}', claimsText()), UNSIGNED),
  tokenRow("alg ''", rawJwt('{"alg":"","typ":"JWT"}', claimsText()), UNSIGNED),
  tokenRow('no alg in the header', rawJwt('{"typ":"JWT"}', claimsText()), UNSIGNED),
  tokenRow('alg 42 (not a string)', rawJwt('{"alg":42}', claimsText()), UNSIGNED),
  tokenRow('header is not JSON', `${b64url('not json')}.${validPayload}.sig`, WELL_FORMED),
  tokenRow('header is a JSON array', `${b64url('[1]')}.${validPayload}.sig`, WELL_FORMED),
  tokenRow('payload is not JSON', rawJwt(HS256, 'not json {'), WELL_FORMED),
  tokenRow('payload is a JSON array', rawJwt(HS256, '[1,2]'), WELL_FORMED),
  tokenRow('payload is a JSON string', rawJwt(HS256, '"claims"'), WELL_FORMED),
  tokenRow('payload is not base64url', `${validHeader}.%%%.sig`, WELL_FORMED),
  tokenRow('two segments', `${validHeader}.${validPayload}`, WELL_FORMED),
  tokenRow('four segments (an extra one)', `${VALID}.extra`, WELL_FORMED),
  tokenRow('five segments (JWE shape)', `${VALID}.x.y`, WELL_FORMED),
  tokenRow('a byte order mark before the token', `\ufeff${VALID}`, PADDED_TOKEN),
  tokenRow("'not-a-jwt'", 'not-a-jwt', WELL_FORMED),
  tokenRow("''", '', NO_TOKEN, { secrets: [] }),
  tokenRow("'   '", '   ', NO_TOKEN, { secrets: [] }),
  tokenRow('exp as a string ("9999999999")', rawJwt(HS256, claimsText({ exp: '9999999999' })), NUMERIC('exp')),
  tokenRow('exp negative (-1)', rawJwt(HS256, claimsText({ exp: -1 })), NUMERIC('exp')),
  tokenRow('exp 1e400 (Infinity once parsed)', rawJwt(HS256, claimsText().replace(/"exp":\d+/, '"exp":1e400')), NUMERIC('exp')),
  tokenRow('exp "NaN"', rawJwt(HS256, claimsText({ exp: 'NaN' })), NUMERIC('exp')),
  tokenRow('exp null', rawJwt(HS256, claimsText({ exp: null })), NUMERIC('exp')),
  tokenRow('exp true', rawJwt(HS256, claimsText({ exp: true })), NUMERIC('exp')),
  tokenRow('iat as a string', rawJwt(HS256, claimsText({ iat: 'yesterday' })), NUMERIC('iat')),
  tokenRow('nbf negative', rawJwt(HS256, claimsText({ nbf: -5 })), NUMERIC('nbf')),
  tokenRow('exp 0 (1970)', rawJwt(HS256, claimsText({ exp: 0 })), err('TOKEN_EXPIRED', 'token', "the token has already expired by this device's clock (an old token, or a clock running ahead of the server's)")),
  tokenRow('expired a minute ago', rawJwt(HS256, claimsText({ iat: undefined, exp: NOW_S - 60 })), err('TOKEN_EXPIRED', 'token', "the token has already expired by this device's clock (an old token, or a clock running ahead of the server's)")),
  tokenRow('no aud', rawJwt(HS256, claimsText({ aud: undefined })), invalidToken('the token is not valid for this session: jwt audience invalid. expected: apiRTC')),
  tokenRow("sub: another apiKey", rawJwt(HS256, claimsText({ sub: 'other-key' })), invalidToken('the token is not valid for this session: jwt subject invalid. expected: the apiKey')),
  tokenRow("sub: 'bad-input-api-key:x' (':')", rawJwt(HS256, claimsText({ sub: `${API_KEY}:x` })), invalidToken('the token is not valid for this session: jwt subject invalid. expected: the apiKey')),
  tokenRow('sub: the apiKey with a trailing space', rawJwt(HS256, claimsText({ sub: `${API_KEY} ` })), invalidToken('the token is not valid for this session: jwt subject invalid. expected: the apiKey')),
  tokenRow('grant for another user', rawJwt(HS256, claimsText({ grants: { apiRTC_UserAgent_Id: 'mallory' } })), invalidToken('the token is not valid for this session: jwt grants.apiRTC_UserAgent_Id does not match the user id')),
  tokenRow("grant ' alice' (whitespace)", rawJwt(HS256, claimsText({ grants: { apiRTC_UserAgent_Id: ' alice' } })), invalidToken('the token is not valid for this session: jwt grants.apiRTC_UserAgent_Id does not match the user id')),
  tokenRow('no grants', rawJwt(HS256, claimsText({ grants: undefined })), invalidToken('the token is not valid for this session: jwt grants.apiRTC_UserAgent_Id does not match the user id')),
  // What the browser cannot check (it has no secret): accepted here, refused by the cloud.
  tokenRow('signature stripped (header.payload.)', `${validHeader}.${validPayload}.`, { kind: 'accepted', detail: 'registered: ua.register() called (session alice, token of ' + `${validHeader}.${validPayload}.`.length + ' chars)' }),
  tokenRow('signed with another secret', VALID.replace(/\.[^.]+$/, `.${createHmac('sha256', 'another').update(`${validHeader}.${validPayload}`).digest('base64url')}`), {
    kind: 'accepted',
    detail: `registered: ua.register() called (session alice, token of ${VALID.length} chars)`,
  }),
  tokenRow('1 MB payload (valid claims)', HUGE, invalidToken("the token is longer than 4096 characters: too large for the SDK's handshake URL")),
  tokenRow("a leading space (' ' + token)", ` ${VALID}`, PADDED_TOKEN),
  tokenRow('a trailing newline (a text/plain answer)', `${VALID}\n`, PADDED_TOKEN),
  // getToken resolving with something else than a JWT string (a common slip: returning the endpoint's JSON).
  row(JWT, 'getToken resolves with undefined', throughGetToken(undefined), NO_TOKEN),
  row(JWT, 'getToken resolves with 42', throughGetToken(42), NO_TOKEN),
  row(JWT, 'getToken resolves with { token } (the endpoint JSON)', throughGetToken({ token: VALID, userId: USER }), NO_TOKEN, { secrets: [VALID] }),
];

const TOKEN = 'createApiRtcToken (server)';
const SECRET_MESSAGE = config('secret', 'secret is required and must be a non-empty string or Uint8Array');
const seconds = (field: string) => config(field, `${field} must be a positive, finite number of seconds`);
const tokenRows: BadInputCase[] = [
  row(TOKEN, 'no options', () => outcomeOf(() => createApiRtcToken(undefined as unknown as CreateApiRtcTokenOptions)), config('options', 'options are required: { apiKey, secret, userId, ... }')),
  row(TOKEN, 'options null', () => outcomeOf(() => createApiRtcToken(null as unknown as CreateApiRtcTokenOptions)), config('options', 'options are required: { apiKey, secret, userId, ... }')),
  row(TOKEN, 'apiKey missing', signing({ apiKey: undefined }), required('apiKey')),
  row(TOKEN, "apiKey ''", signing({ apiKey: '' }), required('apiKey')),
  row(TOKEN, "apiKey ' key'", signing({ apiKey: ' key' }), padded('apiKey')),
  row(TOKEN, "apiKey 'my key'", signing({ apiKey: 'my key' }), spaced('apiKey')),
  row(TOKEN, "apiKey 'apiKey:key' (':')", signing({ apiKey: 'apiKey:key' }), colon('apiKey')),
  row(TOKEN, 'apiKey 42', signing({ apiKey: 42 }), required('apiKey')),
  row(TOKEN, 'secret missing', signing({ secret: undefined }), SECRET_MESSAGE),
  row(TOKEN, "secret ''", signing({ secret: '' }), SECRET_MESSAGE),
  row(TOKEN, 'secret 42', signing({ secret: 42 }), SECRET_MESSAGE),
  row(TOKEN, 'secret {} (an object)', signing({ secret: {} }), SECRET_MESSAGE),
  row(TOKEN, 'secret new Uint16Array(4) (not bytes)', signing({ secret: new Uint16Array(4) }), SECRET_MESSAGE),
  row(TOKEN, 'secret new Uint8Array(0)', signing({ secret: new Uint8Array(0) }), config('secret', 'secret is required and must not be empty')),
  row(TOKEN, 'userId missing', signing({ userId: undefined }), required('userId'), { secrets: [SECRET] }),
  row(TOKEN, "userId ''", signing({ userId: '' }), required('userId'), { secrets: [SECRET] }),
  row(TOKEN, "userId ' alice'", signing({ userId: ' alice' }), padded('userId'), { secrets: [SECRET] }),
  row(TOKEN, "userId 'alice\\n'", signing({ userId: 'alice\n' }), padded('userId'), { secrets: [SECRET] }),
  row(TOKEN, 'userId 42', signing({ userId: 42 }), required('userId'), { secrets: [SECRET] }),
  row(TOKEN, "userId 'alice smith' (not URL-safe)", signing({ userId: 'alice smith' }), URL_UNSAFE('userId'), { secrets: [SECRET] }),
  row(TOKEN, "userId 'a+b@x.example' (not URL-safe)", signing({ userId: 'a+b@x.example' }), URL_UNSAFE('userId'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn 0', signing({ expiresIn: 0 }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn -1', signing({ expiresIn: -1 }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn NaN', signing({ expiresIn: Number.NaN }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn Infinity', signing({ expiresIn: Number.POSITIVE_INFINITY }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(TOKEN, "expiresIn '3600' (a string)", signing({ expiresIn: '3600' }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn 86401 (above the default maxExpiresIn)', signing({ expiresIn: 86401 }), config('expiresIn', 'expiresIn (86401 s) is longer than maxExpiresIn (86400 s); raise maxExpiresIn to allow it'), { secrets: [SECRET] }),
  row(TOKEN, 'expiresIn 120 with maxExpiresIn 60', signing({ expiresIn: 120, maxExpiresIn: 60 }), config('expiresIn', 'expiresIn (120 s) is longer than maxExpiresIn (60 s); raise maxExpiresIn to allow it'), { secrets: [SECRET] }),
  row(TOKEN, 'maxExpiresIn 0', signing({ maxExpiresIn: 0 }), seconds('maxExpiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'maxExpiresIn NaN', signing({ maxExpiresIn: Number.NaN }), seconds('maxExpiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'maxExpiresIn Infinity', signing({ maxExpiresIn: Number.POSITIVE_INFINITY }), seconds('maxExpiresIn'), { secrets: [SECRET] }),
  row(TOKEN, "maxExpiresIn '60' (a string)", signing({ maxExpiresIn: '60' }), seconds('maxExpiresIn'), { secrets: [SECRET] }),
  row(TOKEN, 'now 1760000000000 (not a function)', signing({ now: 1_760_000_000_000 }), config('now', 'now must be a function returning ms since epoch'), { secrets: [SECRET] }),
  row(TOKEN, 'now() returns NaN', signing({ now: () => Number.NaN }), config('now', 'now() must return a finite, non-negative number of ms since epoch'), { secrets: [SECRET] }),
  row(TOKEN, 'now() returns -1', signing({ now: () => -1 }), config('now', 'now() must return a finite, non-negative number of ms since epoch'), { secrets: [SECRET] }),
  row(TOKEN, "now() returns '1760000000000'", signing({ now: () => '1760000000000' }), config('now', 'now() must return a finite, non-negative number of ms since epoch'), { secrets: [SECRET] }),
];

const HANDLER = 'createTokenHandler options (server)';
const AUTHORIZE_FN = config('authorize', 'authorize must be a function (request, { reason }) => { userId } | userId | Response | null');
const ALLOWED_ORIGINS = config('allowedOrigins', 'allowedOrigins must be an array of origins such as "https://app.example" (scheme, host, port; no path)');
const handlerRows: BadInputCase[] = [
  row(HANDLER, 'no options', () => outcomeOf(() => createTokenHandler(undefined as unknown as TokenHandlerOptions)), config('options', 'options are required: { apiKey, secret, authorize, ... }')),
  row(HANDLER, 'options null', () => outcomeOf(() => createTokenHandler(null as unknown as TokenHandlerOptions)), config('options', 'options are required: { apiKey, secret, authorize, ... }')),
  row(HANDLER, 'authorize missing', creatingHandler({ authorize: undefined }), AUTHORIZE_FN, { secrets: [SECRET] }),
  row(HANDLER, "authorize 'alice' (a string)", creatingHandler({ authorize: 'alice' }), AUTHORIZE_FN, { secrets: [SECRET] }),
  row(HANDLER, "authorize { userId: 'alice' } (an object)", creatingHandler({ authorize: { userId: 'alice' } }), AUTHORIZE_FN, { secrets: [SECRET] }),
  row(HANDLER, "onError 'log' (not a function)", creatingHandler({ onError: 'log' }), config('onError', 'onError must be a function'), { secrets: [SECRET] }),
  row(HANDLER, "apiKey 'a:b'", creatingHandler({ apiKey: 'a:b' }), colon('apiKey'), { secrets: [SECRET] }),
  row(HANDLER, "apiKey ' key'", creatingHandler({ apiKey: ' key' }), padded('apiKey'), { secrets: [SECRET] }),
  row(HANDLER, "apiKey 'my key'", creatingHandler({ apiKey: 'my key' }), spaced('apiKey'), { secrets: [SECRET] }),
  row(HANDLER, 'apiKey missing', creatingHandler({ apiKey: undefined }), required('apiKey'), { secrets: [SECRET] }),
  row(HANDLER, "secret ''", creatingHandler({ secret: '' }), SECRET_MESSAGE),
  row(HANDLER, 'secret new Uint8Array(0)', creatingHandler({ secret: new Uint8Array(0) }), config('secret', 'secret is required and must not be empty')),
  row(HANDLER, 'expiresIn 0', creatingHandler({ expiresIn: 0 }), seconds('expiresIn'), { secrets: [SECRET] }),
  row(HANDLER, 'expiresIn 86401', creatingHandler({ expiresIn: 86401 }), config('expiresIn', 'expiresIn (86401 s) is longer than maxExpiresIn (86400 s); raise maxExpiresIn to allow it'), { secrets: [SECRET] }),
  row(HANDLER, 'maxExpiresIn -1', creatingHandler({ maxExpiresIn: -1 }), seconds('maxExpiresIn'), { secrets: [SECRET] }),
  row(HANDLER, 'now 0 (not a function)', creatingHandler({ now: 0 }), config('now', 'now must be a function returning ms since epoch'), { secrets: [SECRET] }),
  row(HANDLER, "allowedOrigins ['https://app.example/'] (a URL, not an origin)", creatingHandler({ allowedOrigins: ['https://app.example/'] }), ALLOWED_ORIGINS, { secrets: [SECRET] }),
  row(HANDLER, "allowedOrigins 'https://app.example' (not an array)", creatingHandler({ allowedOrigins: 'https://app.example' }), ALLOWED_ORIGINS, { secrets: [SECRET] }),
];

const REQUEST = 'token endpoint request / authorize answer (server)';
const httpError = (status: number, error: string): Outcome => ({ kind: 'http', status, body: JSON.stringify({ error }) });
const requestRows: BadInputCase[] = [
  row(REQUEST, "authorize returns ''", authorizeAnswers(''), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, "authorize returns ' alice'", authorizeAnswers(' alice'), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, "authorize returns 'bob&apiKey=other' (not URL-safe)", authorizeAnswers('bob&apiKey=other'), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, "authorize returns { userId: '' }", authorizeAnswers({ userId: '' }), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, 'authorize returns { userId: 42 }', authorizeAnswers({ userId: 42 }), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, 'authorize returns { id: "alice" } (wrong key)', authorizeAnswers({ id: 'alice' }), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, 'authorize returns 42', authorizeAnswers(42), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, 'authorize returns true', authorizeAnswers(true), internal500('authorize', AUTHORIZE_MESSAGE), { secrets: [SECRET] }),
  row(REQUEST, 'now() returns NaN at request time', request({ method: 'POST' }, { now: () => Number.NaN }), internal500('now', 'now() must return a finite, non-negative number of ms since epoch'), { secrets: [SECRET] }),
  row(REQUEST, "body 'not json'", request({ method: 'POST', body: 'not json' }), httpError(400, 'invalid request body'), { secrets: [SECRET] }),
  row(REQUEST, "body '[]'", request({ method: 'POST', body: '[]' }), httpError(400, 'invalid request body'), { secrets: [SECRET] }),
  row(REQUEST, "body '\"initial\"'", request({ method: 'POST', body: '"initial"' }), httpError(400, 'invalid request body'), { secrets: [SECRET] }),
  row(REQUEST, "body 'null'", request({ method: 'POST', body: 'null' }), httpError(400, 'invalid request body'), { secrets: [SECRET] }),
  row(REQUEST, 'a 9000-byte body', request({ method: 'POST', body: JSON.stringify({ reason: 'initial', pad: 'x'.repeat(9000) }) }), httpError(413, 'request body too large'), { secrets: [SECRET] }),
  row(REQUEST, 'GET', request({ method: 'GET' }), httpError(405, 'method not allowed'), { secrets: [SECRET] }),
];

const CLOUD = 'startApiRtcCloud (cloud)';
const key = { k: 'cloud-secret-never-in-a-message' };
const users = (list: unknown[]) => ({ apiKeys: key, users: list });
const cloudConfig = (field: string, message: string) => config(field, `${field} ${message}`);
const LOOPBACK = (host: string) => cloudConfig('host', `must be a loopback address (127.0.0.1, localhost or ::1), got "${host}"`);
const PORT = cloudConfig('port', 'must be an integer from 0 to 65535 (0 picks a free port)');
const USER_SHAPE = '{ login, password, userId?, nickname?, apiKey? }';
const cloudRow = (input: string, options: unknown, expected: Outcome) => row(CLOUD, input, startingCloud(options), expected, { secrets: ['cloud-secret-never-in-a-message'] });
const cloudRows: BadInputCase[] = [
  cloudRow("options 'nope'", 'nope', cloudConfig('options', 'must be an object')),
  cloudRow('options null', null, cloudConfig('options', 'must be an object')),
  cloudRow("host '0.0.0.0'", { apiKeys: key, host: '0.0.0.0' }, LOOPBACK('0.0.0.0')),
  cloudRow("host '192.168.1.10'", { apiKeys: key, host: '192.168.1.10' }, LOOPBACK('192.168.1.10')),
  cloudRow("host '::'", { apiKeys: key, host: '::' }, LOOPBACK('::')),
  cloudRow("host 'example.com'", { apiKeys: key, host: 'example.com' }, LOOPBACK('example.com')),
  cloudRow("host ''", { apiKeys: key, host: '' }, required('host')),
  cloudRow("host ' 127.0.0.1'", { apiKeys: key, host: ' 127.0.0.1' }, padded('host')),
  cloudRow('host 127 (a number)', { apiKeys: key, host: 127 }, required('host')),
  cloudRow('port 70000', { apiKeys: key, port: 70000 }, PORT),
  cloudRow('port -1', { apiKeys: key, port: -1 }, PORT),
  cloudRow('port 80.5', { apiKeys: key, port: 80.5 }, PORT),
  cloudRow('port NaN', { apiKeys: key, port: Number.NaN }, PORT),
  cloudRow("port '3010' (a string)", { apiKeys: key, port: '3010' }, PORT),
  cloudRow("apiKeys ['k'] (an array)", { apiKeys: ['k'] }, cloudConfig('apiKeys', 'must be an object mapping each apiKey to its secret')),
  cloudRow("apiKeys 'k:s' (a string)", { apiKeys: 'k:s' }, cloudConfig('apiKeys', 'must be an object mapping each apiKey to its secret')),
  cloudRow('apiKeys {}', { apiKeys: {} }, cloudConfig('apiKeys', 'must name at least one apiKey')),
  cloudRow("apiKeys { '': secret }", { apiKeys: { '': 's' } }, required('apiKeys')),
  cloudRow("apiKeys { 'a:b': secret }", { apiKeys: { 'a:b': 's' } }, colon('apiKeys')),
  cloudRow("apiKeys { 'a b': secret }", { apiKeys: { 'a b': 's' } }, spaced('apiKeys')),
  cloudRow("apiKeys { ' k': secret }", { apiKeys: { ' k': 's' } }, padded('apiKeys')),
  cloudRow("apiKeys { k: '' }", { apiKeys: { k: '' } }, cloudConfig('apiKeys["k"]', 'must be a non-empty secret string')),
  cloudRow('apiKeys { k: 42 }', { apiKeys: { k: 42 } }, cloudConfig('apiKeys["k"]', 'must be a non-empty secret string')),
  cloudRow('users {} (not an array)', { apiKeys: key, users: {} }, cloudConfig('users', `must be an array of ${USER_SHAPE}`)),
  cloudRow("users ['alice']", users(['alice']), cloudConfig('users[0]', `must be an object ${USER_SHAPE}`)),
  cloudRow('a user without login', users([{ password: 'p' }]), required('users[0].login')),
  cloudRow("login 'a:b'", users([{ login: 'a:b', password: 'p' }]), colon('users[0].login')),
  cloudRow("login 'a b'", users([{ login: 'a b', password: 'p' }]), spaced('users[0].login')),
  cloudRow("login ' a'", users([{ login: ' a', password: 'p' }]), padded('users[0].login')),
  cloudRow('a user without password', users([{ login: 'a' }]), cloudConfig('users[0].password', 'is required and must be a non-empty string')),
  cloudRow("password ''", users([{ login: 'a', password: '' }]), cloudConfig('users[0].password', 'is required and must be a non-empty string')),
  cloudRow('duplicate logins', users([{ login: 'a', password: 'p' }, { login: 'a', password: 'q' }]), cloudConfig('users[1].login', 'duplicates the login "a"')),
  cloudRow("userId 'a&b'", users([{ login: 'a', password: 'p', userId: 'a&b' }]), URL_UNSAFE('users[0].userId')),
  cloudRow("userId 'a b'", users([{ login: 'a', password: 'p', userId: 'a b' }]), URL_UNSAFE('users[0].userId')),
  cloudRow("userId ''", users([{ login: 'a', password: 'p', userId: '' }]), required('users[0].userId')),
  cloudRow('duplicate user ids', users([{ login: 'a', password: 'p', userId: '7' }, { login: 'b', password: 'p', userId: '7' }]), cloudConfig('users[1].userId', 'duplicates the user id "7"')),
  cloudRow("a user of apiKey 'other' (unknown)", users([{ login: 'a', password: 'p', apiKey: 'other' }]), cloudConfig('users[0].apiKey', '"other" is not one of apiKeys')),
  cloudRow("nickname ' '", users([{ login: 'a', password: 'p', nickname: ' ' }]), required('users[0].nickname')),
  cloudRow('now 5 (not a function)', { apiKeys: key, now: 5 }, cloudConfig('now', 'must be a function returning ms since epoch')),
];

const FAULTS = 'cloud.faults / cloud methods (cloud)';
const ms = (field: string) => config(field, `${field} must be a number of ms from 0 to 120000`);
const faultRows: BadInputCase[] = [
  row(FAULTS, 'setLatency(-1)', onCloud((c) => c.faults.setLatency(-1)), ms('latency')),
  row(FAULTS, 'setLatency(200000)', onCloud((c) => c.faults.setLatency(200_000)), ms('latency')),
  row(FAULTS, 'setLatency({ rest: NaN })', onCloud((c) => c.faults.setLatency({ rest: Number.NaN })), ms('latency.rest')),
  row(FAULTS, "setLatency({ handshake: '5' })", onCloud((c) => c.faults.setLatency({ handshake: '5' as unknown as number })), ms('latency.handshake')),
  row(FAULTS, "setLatency('slow')", onCloud((c) => c.faults.setLatency('slow' as unknown as number)), config('latency', 'latency must be a number of ms or { rest?, handshake? }')),
  row(FAULTS, 'failRest({ status: 404 })', onCloud((c) => c.faults.failRest({ status: 404 })), config('status', 'status must be an HTTP status from 500 to 599')),
  row(FAULTS, 'failRest({ status: 503.5 })', onCloud((c) => c.faults.failRest({ status: 503.5 })), config('status', 'status must be an HTTP status from 500 to 599')),
  row(FAULTS, 'failRest({ count: 0 })', onCloud((c) => c.faults.failRest({ count: 0 })), config('count', 'count must be a positive integer')),
  row(FAULTS, "failRest({ path: 'api/v2' })", onCloud((c) => c.faults.failRest({ path: 'api/v2' })), config('path', 'path must be a path starting with "/"')),
  row(FAULTS, "refuse({ message: ' ' })", onCloud((c) => c.faults.refuse({ message: ' ' })), config('message', 'message must be a non-empty string')),
  row(FAULTS, 'down({ forMs: -1 })', onCloud((c) => c.faults.down({ forMs: -1 })), ms('forMs')),
  row(FAULTS, 'down({ forMs: Infinity })', onCloud((c) => c.faults.down({ forMs: Number.POSITIVE_INFINITY })), ms('forMs')),
  row(FAULTS, "signDevToken({ apiKey: 'other' })", onCloud((c) => c.signDevToken({ userId: USER, apiKey: 'other' })), config('apiKey', 'apiKey "other" is not one of the cloud\'s apiKeys'), { secrets: [SECRET] }),
  row(FAULTS, "signDevToken({ userId: ' ' })", onCloud((c) => c.signDevToken({ userId: ' ' })), required('userId'), { secrets: [SECRET] }),
  row(FAULTS, 'signDevToken({ expiresIn: 0 })', onCloud((c) => c.signDevToken({ userId: USER, expiresIn: 0 })), seconds('expiresIn'), { secrets: [SECRET] }),
];

const CLI = 'npm run cloud arguments (cloud CLI)';
const cliPort = (source: string, text: string) => config('port', `${source} must be a port number from 0 to 65535, got "${text}"`);
const cliRows: BadInputCase[] = [
  row(CLI, '--port (no value)', cli(['--port']), config('port', '--port needs a value')),
  row(CLI, '--port abc', cli(['--port', 'abc']), cliPort('--port', 'abc')),
  row(CLI, '--port=70000', cli(['--port=70000']), cliPort('--port', '70000')),
  row(CLI, '--port -1', cli(['--port', '-1']), cliPort('--port', '-1')),
  row(CLI, '--port 80.5', cli(['--port', '80.5']), cliPort('--port', '80.5')),
  row(CLI, 'APIRTC_CLOUD_PORT=x', cli([], { APIRTC_CLOUD_PORT: 'x' }), cliPort('APIRTC_CLOUD_PORT', 'x')),
  row(CLI, '--host 0.0.0.0 (unknown)', async () => {
    const outcome = await cli(['--host', '0.0.0.0'])();
    // The message goes on with the usage text: keep its first line.
    return outcome.kind === 'error' ? { ...outcome, message: outcome.message.split('\n')[0] as string } : outcome;
  }, config('argv', 'unknown argument "--host"')),
];

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  ...authRows,
  ...optionRows,
  ...jwtRows,
  ...tokenRows,
  ...handlerRows,
  ...requestRows,
  ...cloudRows,
  ...faultRows,
  ...cliRows,
];

/** Does `actual` satisfy `expected`? A bug row's expected message may be a placeholder: "(any message...)". */
export function matches(actual: Outcome, expected: Outcome): boolean {
  return mismatch(actual, expected) === undefined;
}

/** Why `actual` does not satisfy `expected`, or undefined. */
export function mismatch(actual: Outcome, expected: Outcome): string | undefined {
  if (actual.kind !== expected.kind) return `expected ${expected.kind}, got ${JSON.stringify(actual)}`;
  if (actual.kind === 'error' && expected.kind === 'error') {
    if (actual.code !== expected.code || actual.field !== expected.field) return `expected ${expected.code}/${expected.field}, got ${actual.code}/${actual.field}: ${actual.message}`;
    if (!expected.message.startsWith('(any message') && actual.message !== expected.message) return `message: expected "${expected.message}", got "${actual.message}"`;
    return undefined;
  }
  return JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Secrets (and tokens) of `row` found in its outcome. */
export function leaks(row: BadInputCase, actual: Outcome): string[] {
  const text = JSON.stringify(actual);
  return (row.secrets ?? []).filter((secret) => secret !== '' && text.includes(secret));
}
