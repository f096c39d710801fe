/**
 * The demos' local services, Node side only: two local ApiRTC clouds, the token endpoint
 * (`createTokenHandler`) and a few demo-only routes. Started by the Storybook plugin
 * (./local-services.ts, `npm start`) and by the story tests' globalSetup (./vitest.global-setup.ts).
 *
 * The signing secrets are used here and nowhere else: the browser gets URLs and the development
 * cloud's public credentials (`browserConfig`), never a secret.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnsecuredJWT } from 'jose';
import {
  DEV_API_KEY,
  DEV_API_SECRET,
  DEV_LOGIN,
  DEV_PASSWORD,
  DEV_USER_ID,
  startApiRtcCloud,
  type ApiRtcCloud,
} from '../src/cloud/index.js';
import { readJsonObject, sendJson } from '../src/cloud/http.js';
import { DEFAULT_CLOUD_URL } from '../src/core/options.js';
import { APIRTC_AUDIENCE, USER_ID_GRANT, createApiRtcToken, createTokenHandler } from '../src/server/index.js';
import { BAD_TOKEN_KINDS, type BadTokenKind, type DemoServices, type LiveCloud } from '../stories/support/types.js';

/** Connect-style middleware (Vite's `server.middlewares.use`, or a plain `http` server with a `next`). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export const TOKEN_PATH = '/api/apirtc-token';
export const LIVE_TOKEN_PATH = '/api/apirtc-live-token';
export const DEMO_API_PATH = '/api/demo';
/** Short on purpose: the JWT demo renews every 15 s or so. */
export const DEMO_TOKEN_LIFETIME_SECONDS = 20;
export const DEMO_USER_HEADER = 'X-Demo-User';
/** The two-user demo's tokens (DEMO_API_PATH/user-token): no renewal on a timer while it runs. */
export const LONG_TOKEN_LIFETIME_SECONDS = 600;
const USER_ID = /^[\w.@-]{1,64}$/;

/** The live cloud, as configured by environment variables (read on the Node side only). */
export interface LiveCloudSettings {
  browser: LiveCloud;
  /** APIRTC_SECRET: signs live tokens on the Storybook server. Never sent to the browser. */
  secret?: string;
}

/**
 * Reads the live-cloud settings from the environment:
 * - STORYBOOK_APIRTC_API_KEY: your apiKey (public: it is in every UserAgent uri). Without it, no live cloud.
 * - APIRTC_SECRET: its secret, to sign JWTs here (no STORYBOOK_ prefix: Storybook would expose it to the browser);
 * - or STORYBOOK_APIRTC_TOKEN_URL: your own token endpoint (it must answer this page's origin with CORS);
 * - STORYBOOK_APIRTC_USER_ID: the user id to register with in JWT mode (default `apirtc-react-auth-demo`);
 * - STORYBOOK_APIRTC_CLOUD_URL: default https://cloud.apirtc.com.
 */
export function liveCloudFromEnv(env: NodeJS.ProcessEnv = process.env): LiveCloudSettings | null {
  const apiKey = env.STORYBOOK_APIRTC_API_KEY?.trim();
  if (!apiKey) return null;
  const cloudUrl = env.STORYBOOK_APIRTC_CLOUD_URL?.trim() || DEFAULT_CLOUD_URL;
  const userId = env.STORYBOOK_APIRTC_USER_ID?.trim() || 'apirtc-react-auth-demo';
  const secret = env.APIRTC_SECRET;
  if (secret) {
    return { browser: { auth: 'jwt', cloudUrl, apiKey, userId, tokenUrl: LIVE_TOKEN_PATH, tokenSource: 'secret' }, secret };
  }
  const tokenUrl = env.STORYBOOK_APIRTC_TOKEN_URL?.trim();
  if (tokenUrl) return { browser: { auth: 'jwt', cloudUrl, apiKey, userId, tokenUrl, tokenSource: 'endpoint' } };
  return { browser: { auth: 'apiKey', cloudUrl, apiKey } };
}

export interface StartedDemoServices {
  /** The cloud most demos register against. */
  readonly cloud: ApiRtcCloud;
  /** The fault demos' own cloud: taking it down disturbs no other demo. */
  readonly faultsCloud: ApiRtcCloud;
  /** Serves TOKEN_PATH, LIVE_TOKEN_PATH (when configured) and DEMO_API_PATH/*; anything else goes to `next`. */
  readonly middleware: Middleware;
  /** What the browser may know. `baseUrl`: where `middleware` is served ('' when same-origin). */
  browserConfig(baseUrl: string, host: DemoServices['host']): DemoServices;
  close(): Promise<void>;
}

/** A token that is wrong in one way, for the bad-token demos. Signed here, where the secret is. */
const staleTokens: Record<string, string> = {};

async function signBadToken(kind: BadTokenKind, userId: string): Promise<string> {
  const base = { apiKey: DEV_API_KEY, secret: DEV_API_SECRET, userId, expiresIn: 60 };
  switch (kind) {
    case 'expired': {
      // Issued two hours ago, for one minute, and handed out again and again: a stale cache. (A server that signed a
      // new token each time would look just like a device clock two hours ahead, which the engine corrects for.)
      const key = `expired:${userId}`;
      return (staleTokens[key] ??= await createApiRtcToken({ ...base, now: () => Date.now() - 2 * 3_600_000 }));
    }
    case 'wrong-secret':
      return createApiRtcToken({ ...base, secret: 'not-the-secret-of-this-api-key' });
    case 'wrong-user':
      return createApiRtcToken({ ...base, userId: `${userId}-someone-else` });
    case 'unsigned':
      // The right claims, but `alg: none` and no signature.
      return new UnsecuredJWT({ grants: { [USER_ID_GRANT]: userId } })
        .setSubject(DEV_API_KEY)
        .setAudience(APIRTC_AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('60s')
        .encode();
  }
}

export async function startDemoServices(options: { live?: LiveCloudSettings | null } = {}): Promise<StartedDemoServices> {
  const live = options.live ?? null;
  const cloud = await startApiRtcCloud({ host: '127.0.0.1' });
  let faultsCloud: ApiRtcCloud;
  try {
    faultsCloud = await startApiRtcCloud({ host: '127.0.0.1' });
  } catch (error) {
    await cloud.close();
    throw error;
  }

  // The demo token endpoint. DEMO ONLY: it trusts the X-Demo-User header, so any page could get a token
  // for anyone. A real app authenticates the request here (its session cookie) and never lets the
  // browser choose its identity; see the README's "Server side".
  const tokenHandler = createTokenHandler({
    apiKey: DEV_API_KEY,
    secret: DEV_API_SECRET,
    expiresIn: DEMO_TOKEN_LIFETIME_SECONDS,
    authorize: (request) => {
      const user = request.headers.get(DEMO_USER_HEADER);
      return user !== null && USER_ID.test(user) ? { userId: user } : null;
    },
  });
  const liveAuth = live?.browser.auth === 'jwt' ? live.browser : undefined;
  const liveTokenHandler =
    live?.secret !== undefined && liveAuth
      ? createTokenHandler({
          apiKey: liveAuth.apiKey,
          secret: live.secret,
          expiresIn: 600,
          // Loopback only, for the one user id you configured.
          authorize: () => ({ userId: liveAuth.userId }),
        })
      : undefined;

  const demoRoutes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    'bad-token': async (body) => {
      const kind = body.kind as BadTokenKind;
      const userId = typeof body.userId === 'string' && USER_ID.test(body.userId) ? body.userId : 'alice';
      if (!BAD_TOKEN_KINDS.includes(kind)) throw new Error(`kind must be one of ${BAD_TOKEN_KINDS.join(', ')}`);
      return { kind, token: await signBadToken(kind, userId) };
    },
    // The two-user demo's tokens: 10 min by default, so that its users renew when asked to, not on a timer
    // mid-demo; shorter when a demo shows a timed renewal. DEMO ONLY, like the token endpoint: the body names the user.
    'user-token': async (body) => {
      if (typeof body.userId !== 'string' || !USER_ID.test(body.userId)) throw new Error('userId must be a user id');
      const expiresIn = body.expiresIn ?? LONG_TOKEN_LIFETIME_SECONDS;
      if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 20 || expiresIn > LONG_TOKEN_LIFETIME_SECONDS) {
        throw new Error(`expiresIn must be a whole number of seconds from 20 to ${LONG_TOKEN_LIFETIME_SECONDS}`);
      }
      return { token: await createApiRtcToken({ apiKey: DEV_API_KEY, secret: DEV_API_SECRET, userId: body.userId, expiresIn }) };
    },
    // A cloud that is down cannot answer its own /_cloud/faults/up: this server holds its handle.
    'faults-cloud/up': async () => {
      if (!faultsCloud.isUp) await faultsCloud.faults.up();
      return { up: faultsCloud.isUp };
    },
    'faults-cloud/reset': async () => {
      faultsCloud.faults.reset();
      if (!faultsCloud.isUp) await faultsCloud.faults.up();
      return { up: faultsCloud.isUp, faults: faultsCloud.faults.state };
    },
  };

  const middleware: Middleware = (req, res, next) => {
    const path = new URL(req.url ?? '/', 'http://demo.local').pathname;
    if (path === TOKEN_PATH) return tokenHandler.node(req, res, next);
    if (path === LIVE_TOKEN_PATH && liveTokenHandler) return liveTokenHandler.node(req, res, next);
    if (!path.startsWith(`${DEMO_API_PATH}/`)) return next();
    const route = demoRoutes[path.slice(DEMO_API_PATH.length + 1)];
    if (!route) return sendJson(res, 404, { error: 'unknown demo route' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    readJsonObject(req)
      .then(route)
      .then(
        (answer) => sendJson(res, 200, answer),
        (error: unknown) => sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) }),
      );
  };

  return {
    cloud,
    faultsCloud,
    middleware,
    browserConfig: (baseUrl, host) => ({
      host,
      cloudUrl: cloud.url,
      faultsCloudUrl: faultsCloud.url,
      tokenUrl: `${baseUrl}${TOKEN_PATH}`,
      demoUserHeader: DEMO_USER_HEADER,
      demoApiUrl: `${baseUrl}${DEMO_API_PATH}`,
      apiKey: DEV_API_KEY,
      login: DEV_LOGIN,
      password: DEV_PASSWORD,
      loginUserId: DEV_USER_ID,
      tokenLifetimeSeconds: DEMO_TOKEN_LIFETIME_SECONDS,
      live: live?.browser ?? null,
    }),
    close: async () => {
      await Promise.allSettled([cloud.close(), faultsCloud.close()]);
    },
  };
}
