import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResolvedApiKey, ResolvedUser } from './config.js';
import { conversationRoutes } from './conversation-rest.js';
import type { Conversations } from './conversations.js';
import type { FaultSwitches } from './faults.js';
import { bearerToken, formText, readForm, sendError, sendJson } from './http.js';
import type { LoginTokens } from './logins.js';
import type { CloudReporter } from './records.js';
import { loadSocketScript, matchesEtag, pickEncoding, SOCKET_SCRIPT_MAX_AGE_S, SOCKET_SCRIPT_PATH } from './socket-script.js';
import type { Timers } from './timers.js';

export interface RestContext {
  apiKeys: ReadonlyMap<string, ResolvedApiKey>;
  users: readonly ResolvedUser[];
  logins: LoginTokens;
  switches: FaultSwitches;
  timers: Timers;
  report: CloudReporter;
  now(): number;
  /** What invalidateToken answers for a token that is not (or no longer) valid. */
  invalidateUnknownToken: 401 | 200;
  /** `host:port` of this server: the CCS address preferredCCS and users/me hand out. */
  ccs(): string;
  conversations: Conversations;
}

/** `segments`: the pattern's capture groups, URI-decoded (the SDK does not encode them all). */
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, context: RestContext, segments: string[]) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the path; a capture group for each segment the handler reads. */
  pattern: RegExp;
  handle: Handler;
}

function loggedInUser(req: IncomingMessage, res: ServerResponse, context: RestContext): ResolvedUser | undefined {
  const user = context.logins.userOf(bearerToken(req));
  if (!user) sendError(res, 401, 'invalid or expired token');
  return user;
}

/** `secure` per apiKey: when true, the SDK sends its JWTApzToken as a Bearer on its REST calls. */
const preferredCcs: Handler = (_req, res, url, context) => {
  const apiKey = url.searchParams.get('apiKey');
  const key = apiKey === null ? undefined : context.apiKeys.get(apiKey);
  if (!key) return sendError(res, 401, 'unknown apiKey');
  sendJson(res, 200, { ccs: context.ccs(), secure: key.secure });
};

const authenticate: Handler = async (req, res, _url, context) => {
  const form = await readForm(req);
  const login = formText(form, 'username');
  const password = formText(form, 'password');
  if (login === undefined || password === undefined) return sendError(res, 400, 'username and password are required');
  const user = context.users.find((candidate) => candidate.login === login);
  if (!user || user.password !== password) {
    context.report.refusal({
      stage: 'authenticate',
      mode: 'login',
      channelId: user?.userId,
      apiKey: user?.apiKey,
      login,
      jti: undefined,
      reason: user ? 'invalid password' : 'unknown login',
      message: 'invalid username or password',
      at: context.now(),
    });
    return sendError(res, 401, 'invalid username or password');
  }
  sendJson(res, 200, { token: context.logins.issue(user) });
};

/** What the SDK reads from users/me: userId, nickname, photo_url, mail, enterpriseId, apiKey, ccs, token. */
const usersMe: Handler = (req, res, _url, context) => {
  const user = loggedInUser(req, res, context);
  if (!user) return;
  sendJson(res, 200, {
    userId: user.userId,
    username: user.login,
    nickname: user.nickname,
    photo_url: '',
    ...(user.mail === undefined ? {} : { mail: user.mail }),
    enterpriseId: user.enterpriseId,
    apiKey: user.apiKey,
    ccs: context.ccs(),
    token: bearerToken(req),
  });
};

/** The SDK loads its enterprise's users as contacts (it skips its own id). */
const enterpriseUsers: Handler = (req, res, _url, context, [enterpriseId = '']) => {
  const user = loggedInUser(req, res, context);
  if (!user) return;
  if (enterpriseId !== user.enterpriseId) return sendError(res, 403, 'not a member of this enterprise');
  const users = context.users
    .filter((member) => member.enterpriseId === enterpriseId)
    .map((member) => ({ id: member.userId, username: member.nickname, photo_url: '' }));
  sendJson(res, 200, { users });
};

const checkToken: Handler = (req, res, _url, context) => {
  const user = loggedInUser(req, res, context);
  if (!user) return;
  sendJson(res, 200, { valid: true, userId: user.userId, apiKey: user.apiKey });
};

/**
 * Burns a login-mode cloud token. A token already burnt, expired or unknown answers 401 as ApiRTC's cloud
 * does (the SDK's unregister() then rejects), or 200 with `invalidateUnknownToken: 200`.
 */
const invalidateToken: Handler = (req, res, _url, context) => {
  const token = bearerToken(req);
  if (token === undefined) return sendError(res, 401, 'a Bearer token is required');
  const invalidated = context.logins.invalidate(token);
  if (!invalidated && context.invalidateUnknownToken === 401) return sendError(res, 401, 'invalid or expired token');
  sendJson(res, 200, { invalidated });
};

const routes: readonly Route[] = [
  { method: 'GET', pattern: /^\/api\/v2\/preferredCCS$/, handle: preferredCcs },
  { method: 'POST', pattern: /^\/api\/v3\/authenticate$/, handle: authenticate },
  { method: 'GET', pattern: /^\/api\/v2\/users\/me$/, handle: usersMe },
  { method: 'GET', pattern: /^\/api\/v2\/enterprises\/([^/]+)\/users$/, handle: enterpriseUsers },
  { method: 'GET', pattern: /^\/api\/v2\/checkToken$/, handle: checkToken },
  { method: 'POST', pattern: /^\/api\/v2\/invalidateToken$/, handle: invalidateToken },
  ...conversationRoutes,
];

/**
 * The socket script as a CDN serves it: minified, compressed for the request (br or gzip), cacheable
 * (`Cache-Control: public, max-age`, a strong ETag, 304 for a matching If-None-Match).
 */
async function serveSocketScript(req: IncomingMessage, res: ServerResponse, context: RestContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
  if (context.switches.socketScriptWithheld) return sendError(res, 404, 'socket script withheld (fault)');
  const script = await loadSocketScript();
  if (res.writableEnded || res.destroyed) return;
  res.setHeader('Cache-Control', `public, max-age=${SOCKET_SCRIPT_MAX_AGE_S}`);
  res.setHeader('ETag', script.etag);
  res.setHeader('Vary', appendVary(res.getHeader('Vary'), 'Accept-Encoding'));
  if (matchesEtag(req.headers['if-none-match'], script.etag)) {
    res.statusCode = 304;
    return void res.end();
  }
  const encoding = pickEncoding(req.headers['accept-encoding']);
  const body = script.bodies[encoding];
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function appendVary(current: number | string | string[] | undefined, name: string): string {
  const names = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((part) => part.trim()).filter(Boolean);
  return [...names, name].join(', ');
}

/** Answers the SDK's REST calls and its socket-script download, with the REST faults applied. */
export async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL, context: RestContext): Promise<void> {
  await context.timers.delay(context.switches.latency.rest);
  if (url.pathname === SOCKET_SCRIPT_PATH) return serveSocketScript(req, res, context);
  if (!url.pathname.startsWith('/api/')) return sendError(res, 404, 'not found');
  const injected = context.switches.takeRestError(url.pathname);
  if (injected !== undefined) return sendError(res, injected, 'injected fault');
  const matching = routes.filter((route) => route.pattern.test(url.pathname));
  const route = matching.find((candidate) => candidate.method === req.method);
  if (route) return route.handle(req, res, url, context, (route.pattern.exec(url.pathname) ?? []).slice(1).map((segment) => decodeURIComponent(segment)));
  return matching.length > 0 ? sendError(res, 405, 'method not allowed') : sendError(res, 404, 'not found');
}
