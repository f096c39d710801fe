import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { TOKEN_REASONS, type TokenReason } from '../core/auth.js';
import type { TokenEndpointResponse } from '../core/token-source.js';
import { invalidConfig, URL_SAFE_ID } from '../core/errors.js';
import { createApiRtcTokenSigner, type ApiRtcTokenSettings, type TokenScope } from './token.js';

/** Why the browser asks for a token. Informational: the handler passes it to `authorize`. */
export type TokenRequestReason = TokenReason;

/** Every reason the contract knows, in the order a session usually meets them. */
export const TOKEN_REQUEST_REASONS: readonly TokenRequestReason[] = TOKEN_REASONS;

/** A request body larger than this (bytes) is answered 413. The contract's body is a few dozen bytes. */
export const MAX_TOKEN_REQUEST_BODY_BYTES = 8 * 1024;

/** The Node request and response behind a `Request`, when it came through the Node adapter. */
export interface NodeRequestContext {
  /** As your middleware left it: cast it to your framework's type to read e.g. `req.session` or `req.user`. */
  req: IncomingMessage;
  /**
   * You may answer through it yourself (e.g. a redirect): the adapter then writes nothing more. An answer you
   * begin here and leave open is cut when `authorize` settles.
   */
  res: ServerResponse;
}

export interface AuthorizeContext {
  /** The request body's `reason`; undefined when there is no body, no `reason`, or an unknown one. */
  reason: TokenRequestReason | undefined;
  /**
   * Set only when the request came through the Node adapter (`handler.node`, `toNodeHandler`): the original
   * `req`/`res`, so that Express/Connect apps can read what their middleware put there (`req.session`).
   * Reading `req` is also the fast way: behind `handler.node` the fetch `Request` is built only if `authorize`
   * reads it, and building one costs about as much as signing the token.
   */
  node?: NodeRequestContext;
}

/** The identity to sign a token for. */
export interface AuthorizedUser {
  /**
   * The id the browser registers with (`register({ id })`), the token's `grants.apiRTC_UserAgent_Id`.
   * `'ApiKey_Token'` is refused here (a 500): return `{ scope: 'apiKey' }` to hand out an apiKey-wide token.
   */
  userId: string;
  /** @defaultValue `'user'` */
  scope?: 'user';
}

/**
 * An apiKey-wide token, asked for on purpose: valid for every user id of the apiKey (grant `ApiKey_Token`).
 * The browser registers with its own user id. Trade-off: one leaked token works for every user id of the
 * apiKey until it expires; prefer `{ userId }`, and keep `expiresIn` short if you hand these out.
 */
export interface AuthorizedApiKey {
  scope: 'apiKey';
  /** Not allowed (a 500): the token is not bound to a user id, so naming one would only mislead. */
  userId?: undefined;
}

/**
 * What `authorize` decides:
 * - `{ userId }` or a userId string: sign a token for that user (200);
 * - `{ scope: 'apiKey' }`: sign an apiKey-wide token (200), only when asked for this way;
 * - `null`, `undefined` or `false`: the caller is not authenticated (401 `{"error":"unauthorized"}`);
 * - a `Response`: sent as it is (e.g. a 403 of your own, a redirect).
 */
export type AuthorizeResult = AuthorizedUser | AuthorizedApiKey | string | Response | null | undefined | false;

/**
 * Authenticates the browser's request your own way (session cookie, Authorization header...) and decides
 * who the token is for. The browser never chooses its identity: only what this returns is signed.
 * The request's body is still unread: you may read it (`await request.json()`). Behind the Node adapter,
 * `context.node.req` is the original IncomingMessage (with e.g. Express's `req.session`), and `request` is
 * built from it on first use: it reads like any Request (`instanceof Request`, headers, URL, body, signal),
 * but is no native one for `fetch(request)` or `new Request(request)`: pass `request.clone()` there.
 * If it throws or rejects, the handler answers 500 `{"error":"internal error"}` and reports the error to
 * `onError`; nothing of the error reaches the response.
 */
export type Authorize = (request: Request, context: AuthorizeContext) => AuthorizeResult | Promise<AuthorizeResult>;

export interface TokenHandlerOptions extends ApiRtcTokenSettings {
  /** Decides the identity for each request. Required. */
  authorize: Authorize;
  /**
   * Pages of other sites allowed to ask (their exact origins, e.g. `https://app.example`). A browser marks
   * a request from another site with `Sec-Fetch-Site: cross-site`; by default such a request is answered
   * 403 before `authorize` runs, so that a page elsewhere cannot make a signed-in user's browser mint tokens
   * with its cookies (CSRF). Same-site origins (`app.example` and `api.example`, other ports) need nothing here.
   */
  allowedOrigins?: readonly string[];
  /**
   * Called with every error behind a 500 (authorize threw, returned something invalid, signing failed).
   * Default: `console.error`. Errors of this package never contain the secret or a token.
   */
  onError?: (error: unknown) => void;
}

/** The body of a 200 answer: the contract the browser's `tokenUrl` source reads. */
export interface TokenResponseBody extends TokenEndpointResponse {
  /**
   * `'user'`: the token is for `userId` only. `'apiKey'`: the token is apiKey-wide, `userId` is then
   * `'ApiKey_Token'` (the token's grant) and the browser registers with its own user id.
   */
  scope: TokenScope;
}

/** The body of every error answer the handler writes itself. */
export interface TokenErrorBody {
  error: string;
}

/** A fetch-style handler: Next route handlers, Hono, Remix, Bun, Deno, Cloudflare... */
export type FetchHandler = (request: Request) => Promise<Response>;

/** A Node `http` request listener, also a Connect / Express / Vite middleware. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** The token endpoint as a fetch handler, with the same endpoint for Node as `.node`. */
export interface TokenHandler {
  (request: Request): Promise<Response>;
  /** The same handler for Node's `http` server, Connect, Express and Vite middleware. */
  readonly node: NodeHandler;
}

/** The Node req/res behind each Request the adapter built; the fetch handler reads it for `authorize`. */
const nodeContexts = new WeakMap<Request, NodeRequestContext>();

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const;

/**
 * The `Date` header (RFC 9110 IMF-fixdate) for a time in ms, from a one-second cache: the browser estimates
 * the server's clock from it, so every answer carries it, on every runtime (Node's http adds one, fetch-style
 * runtimes don't).
 */
function httpDate(): (ms: number) => string {
  let second = Number.NaN;
  let text = '';
  return (ms) => {
    const current = Math.floor(ms / 1000);
    if (current !== second) {
      second = current;
      text = new Date(current * 1000).toUTCString();
    }
    return text;
  };
}

/**
 * An answer the handler wrote itself: the fetch handler turns it into a `Response`; the Node adapter writes
 * it straight to the ServerResponse (building a Response only to read it back costs more than signing).
 */
class Reply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string | null,
  ) {}
}

/** A Reply, or a Response that `authorize` returned. */
type Outcome = Reply | Response;

type Answer = (status: number, body: TokenResponseBody | TokenErrorBody, headers?: Record<string, string>) => Reply;

function answers(now: () => number): Answer {
  const date = httpDate();
  return (status, body, extra) => {
    const headers: Record<string, string> = { 'Content-Type': JSON_HEADERS['Content-Type'], 'Cache-Control': JSON_HEADERS['Cache-Control'], Date: date(now()) };
    return new Reply(status, extra ? Object.assign(headers, extra) : headers, JSON.stringify(body));
  };
}

function methodNotAllowed(json: Answer, method: string): Reply {
  const reply = json(405, { error: 'method not allowed' }, { Allow: 'POST' });
  // A HEAD answer has no body, whatever runtime sends it.
  return method === 'HEAD' ? new Reply(reply.status, reply.headers, null) : reply;
}

function toResponse(outcome: Outcome): Response {
  return outcome instanceof Reply ? new Response(outcome.body, { status: outcome.status, headers: outcome.headers }) : outcome;
}


function isReason(value: unknown): value is TokenRequestReason {
  return typeof value === 'string' && (TOKEN_REQUEST_REASONS as readonly string[]).includes(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  // A Response from another fetch implementation (a framework's polyfill).
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Response>;
  return typeof candidate.status === 'number' && typeof candidate.headers === 'object' && typeof candidate.arrayBuffer === 'function';
}

const TOO_LARGE = Symbol('too large');
const BAD_BODY = Symbol('bad body');

/** The request body as text, or why there is none to read. */
type BodyText = string | typeof TOO_LARGE | typeof BAD_BODY;

const utf8 = new TextDecoder();

/**
 * Reads the body from a clone, so that `authorize` still gets the original request with its body unread
 * (and keeps whatever a framework added to it, e.g. Next's `request.cookies`).
 */
async function readBody(request: Request): Promise<BodyText> {
  if (request.body === null || request.bodyUsed) return '';
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > MAX_TOKEN_REQUEST_BODY_BYTES) {
    void request.body.cancel().catch(() => undefined);
    return TOO_LARGE;
  }
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    const clone = request.clone().body;
    if (clone === null) return '';
    reader = clone.getReader();
  } catch {
    return ''; // locked by the framework: no readable body, no reason
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_TOKEN_REQUEST_BODY_BYTES) {
        // Cancelling one branch of a tee settles only when both are cancelled: don't wait for it.
        void reader.cancel().catch(() => undefined);
        void request.body?.cancel().catch(() => undefined);
        return TOO_LARGE;
      }
      chunks.push(value);
    }
  } catch {
    return BAD_BODY; // the client went away mid-body
  }
  return utf8.decode(concat(chunks, size));
}

function parseReason(text: string): TokenRequestReason | undefined | typeof BAD_BODY {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return BAD_BODY;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return BAD_BODY;
  const reason = (value as { reason?: unknown }).reason;
  // Informational: an unknown reason (a newer client) is not worth refusing a token over.
  return isReason(reason) ? reason : undefined;
}

// The apiKey-wide option is left out on purpose: an error message is no place to suggest a wider token.
const BAD_DECISION =
  'authorize() must return { userId } or a userId string (letters, digits, "_", ".", "@", "-": the SDK sends it unescaped in a URL), a Response, or null/undefined/false to refuse';

/** The grant to sign for, from what authorize returned. Throws INVALID_CONFIG 'authorize' (a 500) otherwise. */
function decisionOf(decision: unknown): { userId: string | undefined; scope: TokenScope } {
  if (typeof decision !== 'string' && (typeof decision !== 'object' || decision === null)) throw invalidConfig('authorize', BAD_DECISION);
  const { userId, scope } = typeof decision === 'string' ? { userId: decision, scope: undefined } : (decision as { userId?: unknown; scope?: unknown });
  if (scope === 'apiKey') {
    if (userId !== undefined) {
      throw invalidConfig('authorize', "authorize() returned { scope: 'apiKey' } with a userId: an apiKey-wide token is valid for every user id, leave userId out");
    }
    return { userId: undefined, scope };
  }
  if ((scope !== undefined && scope !== 'user') || typeof userId !== 'string' || !URL_SAFE_ID.test(userId)) {
    throw invalidConfig('authorize', BAD_DECISION);
  }
  return { userId, scope: 'user' };
}

function originSet(origins: unknown): ReadonlySet<string> {
  if (origins === undefined) return new Set();
  const valid = Array.isArray(origins) && origins.every((origin) => typeof origin === 'string' && URL.canParse(origin) && new URL(origin).origin === origin);
  if (!valid) throw invalidConfig('allowedOrigins', 'allowedOrigins must be an array of origins such as "https://app.example" (scheme, host, port; no path)');
  return new Set(origins as string[]);
}

function defaultOnError(error: unknown): void {
  console.error('apirtc-react-auth: the token endpoint answered 500:', error);
}

/**
 * Creates the token endpoint your browser code's `tokenUrl` points at.
 *
 * Contract (what the client speaks):
 * - Request: `POST <endpoint>`, body optional JSON `{ "reason": "initial" | "renew" | "expired" | "refused" | "retry" }`
 *   (at most 8 KiB), sent with any Content-Type: the browser sends `text/plain` (no CORS preflight), and
 *   `application/json` works too. Behind a body parser (`express.json()`, `express.text()`, `express.raw()`)
 *   the adapter takes what the parser left on `req.body`; without one it reads the stream. The reason is
 *   informational and passed to `authorize`; a missing or unknown reason is `undefined`. Any other field
 *   (a `userId` too) is ignored. The browser authenticates the way your app does (cookie, session,
 *   Authorization header): `authorize` checks it.
 * - 200, `Content-Type: application/json`, `Cache-Control: no-store`:
 *   `{ "token": "<jwt>", "userId": "<id>", "expiresAt": <exp * 1000, ms since epoch>, "scope": "user" }`, the
 *   token signed for exactly the userId `authorize` returned; or, when `authorize` returned `{ scope: 'apiKey' }`,
 *   `{ "token", "userId": "ApiKey_Token", "expiresAt", "scope": "apiKey" }`: an apiKey-wide token, with which the
 *   browser registers under its own user id.
 * - Every answer the handler writes carries a `Date` header from its clock (`now`, the one `iat` is read from):
 *   the browser times the token on the server's clock from it (the token's own iat and exp give its lifetime).
 * - 400 `{"error":"invalid request body"}`: the body is not a JSON object.
 * - 401 `{"error":"unauthorized"}`: `authorize` returned null, undefined or false.
 * - 403 `{"error":"cross-site request"}`: a browser request from another site not in `allowedOrigins`.
 * - 405 `{"error":"method not allowed"}` with `Allow: POST`: any method but POST.
 * - 413 `{"error":"request body too large"}`: a body above 8 KiB.
 * - 500 `{"error":"internal error"}`: `authorize` threw or returned something invalid; no detail is sent.
 * - Anything else is a `Response` `authorize` returned (e.g. your own 403), sent unchanged.
 * Every error body the handler writes is JSON `{ "error": string }`, with `Cache-Control: no-store`; no
 * answer ever contains the secret, and no error answer contains a token.
 *
 * Options are checked at once: a bad apiKey, secret, expiresIn, maxExpiresIn, now, onError, allowedOrigins or a
 * missing `authorize` throws an `ApiRtcAuthError` with code `INVALID_CONFIG` and `field` naming the option.
 *
 * The apiKey-wide token: only when `authorize` returns `{ scope: 'apiKey' }` (a userId `'ApiKey_Token'` is a 500,
 * never a wide token). Trade-off: such a token, leaked, lets anyone register under every user id of the apiKey
 * until it expires, where a per-user token only lets its holder be that user; keep `expiresIn` short for them.
 *
 * @example Next.js route handler
 * ```ts
 * export const POST = createTokenHandler({ apiKey, secret, authorize: async () => (await auth())?.user.id ?? null });
 * ```
 * @example Node and Express
 * ```ts
 * http.createServer(createTokenHandler({ apiKey, secret, authorize }).node);
 * app.use('/api/apirtc-token', express.json(), handler.node); // with or without a body parser
 * ```
 * @example An apiKey-wide token for signed-in users, on purpose
 * ```ts
 * createTokenHandler({ apiKey, secret, expiresIn: 300, authorize: (_req, { node }) => (node?.req.session ? { scope: 'apiKey' } : null) });
 * ```
 */
export function createTokenHandler(options: TokenHandlerOptions): TokenHandler {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig('options', 'options are required: { apiKey, secret, authorize, ... }');
  }
  const { authorize, onError = defaultOnError } = options;
  if (typeof authorize !== 'function') {
    throw invalidConfig('authorize', 'authorize must be a function (request, { reason }) => { userId } | userId | Response | null');
  }
  if (typeof onError !== 'function') throw invalidConfig('onError', 'onError must be a function');
  const allowedOrigins = originSet(options.allowedOrigins);
  const sign = createApiRtcTokenSigner(options);
  // The Date header follows the signing clock; a broken clock must not break the 500 that reports it.
  const json = answers(() => {
    try {
      return sign.now();
    } catch {
      return Date.now();
    }
  });

  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // A failing logger must not turn a 500 into an unhandled rejection.
    }
  };

  const serve = async (incoming: Incoming): Promise<Outcome> => {
    try {
      if (incoming.method !== 'POST') return methodNotAllowed(json, incoming.method);
      if (incoming.header('sec-fetch-site') === 'cross-site' && !allowedOrigins.has(incoming.header('origin') ?? '')) {
        return json(403, { error: 'cross-site request' });
      }
      const text = incoming.text ?? (await readBody(incoming.request));
      if (text === TOO_LARGE) return json(413, { error: 'request body too large' });
      const reason = text === BAD_BODY ? BAD_BODY : parseReason(text);
      if (reason === BAD_BODY) return json(400, { error: 'invalid request body' });

      const { node } = incoming;
      const returned = authorize(incoming.request, node ? { reason, node } : { reason });
      // Most authorize functions behind the Node adapter answer at once: no promise turn for them.
      const decision = isThenable(returned) ? await returned : returned;
      if (isResponse(decision)) return decision;
      if (decision === null || decision === undefined || decision === false) {
        return json(401, { error: 'unauthorized' });
      }
      const { userId, scope } = decisionOf(decision);
      const signed = await sign(userId, scope, 'authorize');
      return json(200, { token: signed.token, userId: signed.userId, expiresAt: signed.exp * 1000, scope });
    } catch (error) {
      report(error);
      return json(500, { error: 'internal error' });
    }
  };

  const handle = async (request: Request): Promise<Response> => toResponse(await serve(fromRequest(request)));
  // The token endpoint's contract answers every method but POST with 405, including those fetch cannot carry.
  return Object.assign(handle, { node: adaptToNode(serve, (method) => methodNotAllowed(json, method), true) });
}

/** A request as the handler reads it, the same whether it came as a Request or through the Node adapter. */
interface Incoming {
  /** Upper case. */
  method: string;
  /** One header's value (lower-case name), or null. */
  header(name: string): string | null;
  /** What `authorize` gets. Behind the Node adapter, built on first use. */
  request: Request;
  /** The body's text when the Node adapter has read it already; else it is read from a clone of `request`. */
  text: BodyText | undefined;
  node: NodeRequestContext | undefined;
}

function fromRequest(request: Request): Incoming {
  const { headers } = request;
  return { method: request.method, header: (name) => headers.get(name), request, text: undefined, node: nodeContexts.get(request) };
}

// ---------------------------------------------------------------------------------------------------------
// Node adapter: IncomingMessage -> Request, Response -> ServerResponse. No logic of its own.

/** The client closed the connection before its body ended: there is no one left to answer. */
const CLIENT_GONE = new Error('the client closed the request before its body ended');

/** Methods the fetch Request constructor refuses. */
const FORBIDDEN_FETCH_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function requestUrl(req: IncomingMessage): string {
  const path = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  const target = typeof path === 'string' ? path : (req.url ?? '/');
  const scheme = (req.socket as Partial<TLSSocket> | undefined)?.encrypted ? 'https' : 'http';
  if (!target.startsWith('/')) {
    try {
      return new URL(target).href; // absolute-form (a proxy request)
    } catch {
      return `${scheme}://localhost/`;
    }
  }
  try {
    return new URL(`${scheme}://${req.headers.host ?? 'localhost'}${target}`).href;
  } catch {
    return new URL(`${scheme}://localhost${target}`).href;
  }
}

/** The headers as name/value pairs, for the Request to build its Headers once. */
function requestHeaders(req: IncomingMessage, dropFraming: boolean): [string, string][] {
  const headers: [string, string][] = [];
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined || name.startsWith(':')) continue; // HTTP/2 pseudo-headers
    // A body parser has read (and maybe decompressed) the stream: its framing headers no longer apply.
    if (dropFraming && (name === 'content-length' || name === 'content-encoding' || name === 'transfer-encoding')) continue;
    if (typeof value === 'string') headers.push([name, value]);
    else for (const item of value) headers.push([name, item]);
  }
  return headers;
}

/** Reads at most `limit + 1` bytes: enough for the handler to see that the body is too large. */
function readNodeStream(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (): void => {
      cleanup();
      resolve(concat(chunks, size));
    };
    const onData = (chunk: Uint8Array | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.byteLength;
      if (size > limit) {
        finish();
        req.pause(); // not one more byte: the answer (413) closes the connection
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(CLIENT_GONE);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body a Connect/Express body parser (express.json(), text(), raw()) consumed and left on `req.body`. */
function parsedBody(req: IncomingMessage): Uint8Array | undefined {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed === undefined || parsed === null) return undefined;
  if (parsed instanceof Uint8Array) return parsed;
  return Buffer.from(typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
}

const NO_BYTES = new Uint8Array(0);

/**
 * The whole body, if it is in the stream's buffer already and nothing else reads the stream: a small body
 * comes in the same packet as the headers, and the parser has pushed it by the first microtask after the
 * 'request' event (the request completes a little later). Read this way it costs no listener, no promise and
 * no copy. Undefined when its length is unknown (chunked, HTTP/2 without Content-Length), above the limit,
 * or not all there yet: the stream is read then.
 */
function bufferedBody(req: IncomingMessage): Uint8Array | undefined {
  const declared = req.headers['content-length'];
  if (declared === undefined || req.headers['transfer-encoding'] !== undefined || req.readableFlowing !== null) return undefined;
  const length = Number(declared);
  if (!(length <= MAX_TOKEN_REQUEST_BODY_BYTES) || req.readableLength !== length) return undefined;
  const bytes = length === 0 ? NO_BYTES : (req.read() as Uint8Array | null);
  if (bytes === null || bytes.byteLength !== length) return undefined; // an object-mode or odd stream: not ours to guess
  // Let the stream run to its end, as after any reader: 'end', then 'close'.
  req.resume();
  return bytes;
}

/**
 * What the Node adapter knows of a request; a class, so that no closure is made per request. The fetch
 * `Request` is built only when something reads it (`lazy`): most `authorize` functions behind the Node adapter
 * read `context.node.req` (an Express session, a header), and building a Request costs more than signing.
 */
class NodeIncoming implements Incoming {
  readonly text: BodyText;
  readonly node: NodeRequestContext;
  readonly request: Request;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    /** The body's bytes; more than `MAX_TOKEN_REQUEST_BODY_BYTES` of them: too large (the stream is read no further). */
    readonly body: Uint8Array | undefined,
    /** The body was read, by the adapter or by a body parser: the stream's framing headers no longer apply. */
    readonly consumed: boolean,
    lazy: boolean,
  ) {
    this.text = body === undefined ? '' : body.byteLength > MAX_TOKEN_REQUEST_BODY_BYTES ? TOO_LARGE : utf8.decode(body);
    this.node = { req, res };
    this.request = lazy ? lazyRequest(this) : buildRequest(this);
  }

  header(name: string): string | null {
    const value = this.req.headers[name];
    return value === undefined ? null : typeof value === 'string' ? value : value.join(', ');
  }

  /** The whole body was read (none is left on the connection): else the answer closes the connection. */
  get complete(): boolean {
    return this.req.complete || (this.consumed && this.text !== TOO_LARGE);
  }
}

function buildRequest({ req, res, body, text, consumed }: NodeIncoming): Request {
  const controller = new AbortController();
  // Lets authorize() notice a client that went away (request.signal).
  if (res.closed && !res.writableFinished) controller.abort();
  else res.once('close', () => res.writableFinished || controller.abort());
  const init: RequestInit = { method: req.method ?? 'GET', headers: requestHeaders(req, consumed || req.readableEnded), signal: controller.signal };
  // A string body is cheaper for the Request to hold; the bytes only when the text is not an exact copy of them.
  if (body !== undefined) init.body = typeof text === 'string' && !text.includes('\uFFFD') ? text : new Uint8Array(body);
  const request = new Request(requestUrl(req), init);
  nodeContexts.set(request, { req, res });
  return request;
}

/**
 * A `Request` that builds the real one on first use and forwards every read, call and write to it: an
 * `authorize` that reads `request.headers`, `request.url` or `await request.json()` sees a Request, one that
 * never looks at it costs nothing. It is no native Request object for `fetch(request)` or `new Request(request)`:
 * pass `request.clone()` there.
 */
function lazyRequest(source: NodeIncoming): Request {
  const shell = Object.create(Request.prototype) as LazyShell;
  shell[SOURCE] = source;
  return new Proxy(shell, LAZY_REQUEST) as unknown as Request;
}

const SOURCE = Symbol('source');
const REAL = Symbol('real');

interface LazyShell {
  [SOURCE]: NodeIncoming;
  [REAL]?: Request;
}

function realRequest(shell: LazyShell): Request {
  return (shell[REAL] ??= buildRequest(shell[SOURCE]));
}

/** One handler for every lazy Request: no closure per request. */
const LAZY_REQUEST: ProxyHandler<LazyShell> = {
  get: (shell, key) => {
    const target = realRequest(shell);
    const value: unknown = Reflect.get(target, key, target);
    // Request's methods check their receiver: call them on the real one.
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
  set: (shell, key, value) => Reflect.set(realRequest(shell), key, value),
  has: (shell, key) => key in realRequest(shell),
};

/** Writes a Reply of the handler's own: no Response to build and read back. */
function writeReply(reply: Reply, complete: boolean, res: ServerResponse): void {
  // The request body was not read to its end (a 413): close the connection rather than read the rest.
  res.writeHead(reply.status, complete ? reply.headers : { ...reply.headers, Connection: 'close' });
  res.end(reply.body ?? undefined);
}

async function writeResponse(response: Response, complete: boolean, res: ServerResponse): Promise<void> {
  // Read first: if reading fails, the 500 that follows must not carry this response's headers.
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const headers = response.headers as Partial<Pick<Headers, 'getSetCookie'>> & Headers;
  const cookies = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  // The request body was not read to its end (a 413): close the connection rather than read the rest.
  if (!complete) res.setHeader('Connection', 'close');
  res.end(body);
}

/**
 * Adapts a fetch-style handler to Node: `http.createServer(listener)`, Connect/Express `app.use(path, listener)`,
 * Vite `server.middlewares.use(path, listener)`. The request becomes a `Request` (headers, URL from `Host` and
 * `originalUrl`/`url`, body, and an abort signal for a client that goes away); the `Response` is written back.
 * A body already consumed by a body parser (express.json(), text(), raw()) is taken from `req.body`.
 * It answers every request it is given: mount it at the endpoint's path. `next` is called only with an error
 * of the adapter itself (without `next`, such an error is answered 500 `{"error":"internal error"}`).
 * Methods a fetch `Request` cannot carry (CONNECT, TRACE, TRACK) are answered 501 without calling the handler.
 */
export function toNodeHandler(handler: FetchHandler): NodeHandler {
  const json = answers(Date.now);
  // Any fetch handler: it gets a real Request, built at once.
  return adaptToNode((incoming) => handler(incoming.request), () => json(501, { error: 'method not supported' }), false);
}

/** `lazy`: build the fetch Request only if `serve` reads it. */
function adaptToNode(serve: (incoming: Incoming) => Promise<Outcome>, unsupportedMethod: (method: string) => Outcome, lazy: boolean): NodeHandler {
  return (req, res, next) => void answerNode(serve, unsupportedMethod, lazy, req, res, next);
}

async function answerNode(
  serve: (incoming: Incoming) => Promise<Outcome>,
  unsupportedMethod: (method: string) => Outcome,
  lazy: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  next: ((error?: unknown) => void) | undefined,
): Promise<void> {
  try {
    const method = (req.method ?? 'GET').toUpperCase();
    let incoming: NodeIncoming | undefined;
    if (method === 'GET' || method === 'HEAD') {
      incoming = new NodeIncoming(req, res, method, undefined, false, lazy);
    } else if (!FORBIDDEN_FETCH_METHODS.has(method)) {
      // One microtask: Node's parser pushes a body that came with the headers right after the 'request' event
      // returns (see bufferedBody); a body not there by then is read from the stream.
      if (!req.readableEnded) await null;
      const body = req.readableEnded ? parsedBody(req) : (bufferedBody(req) ?? (await readNodeStream(req, MAX_TOKEN_REQUEST_BODY_BYTES)));
      incoming = new NodeIncoming(req, res, method, body, true, lazy);
    }
    const outcome = incoming ? await serve(incoming) : unsupportedMethod(method);
    // authorize() may have answered through context.node.res itself: nothing left to write. If it began an
    // answer and did not end it, nobody will: cut the connection rather than leave the client waiting.
    if (res.headersSent || res.writableEnded) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    const complete = incoming ? incoming.complete : req.complete;
    if (outcome instanceof Reply) writeReply(outcome, complete, res);
    else await writeResponse(outcome, complete, res);
  } catch (error) {
    if (error === CLIENT_GONE) {
      res.destroy();
    } else if (next) {
      next(error);
    } else if (!res.headersSent) {
      res.writeHead(500, JSON_HEADERS).end(JSON.stringify({ error: 'internal error' } satisfies TokenErrorBody));
    } else {
      res.destroy();
    }
  }
}
