import type { Clock } from './clock.js';
import type { ApiRtcSdk } from './sdk.js';

/**
 * The SDK's page-wide socket layer: its module export is the page global `apiCC`, whose `session` is the page's
 * one ApiCCSession and `session.channel.socket` its socket.io socket. None of this is public API of
 * @apirtc/apirtc 5.0.35: docs/sdk-behaviour.md says where each name comes from and which test confirms it.
 * Everything here is a no-op for an SDK (or a test double) without it.
 */
interface EngineSocket {
  readyState: string;
  transport: { name: string; ws?: { readyState: number; addEventListener(type: 'close', listener: () => void, options: { once: true }): void } };
  once(event: 'close', listener: () => void): unknown;
}

interface PageSocket {
  /** socket.io: false once the socket will never connect again (a refused handshake, a kick, a disconnect). */
  active: boolean;
  io: { engine: EngineSocket };
}

interface PageLayer {
  session?: { channel?: { socket?: PageSocket | null } } | null;
  disconnect(options: { invalidateApiCCId: boolean }): void;
}

export type Page = PageLayer | undefined;

export function pageOf(sdk: ApiRtcSdk): Page {
  const layer = sdk as unknown as Partial<PageLayer>;
  return typeof layer.disconnect === 'function' ? (layer as PageLayer) : undefined;
}

function socketOf(page: Page): PageSocket | undefined {
  return page?.session?.channel?.socket ?? undefined;
}

/**
 * A failed, hung or refused registration leaves the page layer holding its socket, which keeps reconnecting and
 * turns every later register() into a "reconnect" that never resolves. The SDK's own teardown resets it.
 */
export function resetPage(page: Page): void {
  if (page?.session) page.disconnect({ invalidateApiCCId: true });
}

/** After a `ccsConnectionStatus: error`: the socket will not come back by itself (any refused handshake does that). */
export function socketGaveUp(page: Page): boolean {
  const socket = socketOf(page);
  return socket !== undefined && !socket.active;
}

/**
 * Taken before `ua.unregister()`, which resolves while the cloud still has the session: resolves true once the
 * page's socket has really closed (its engine, then the WebSocket it had), false after `timeoutMs`.
 */
export function socketClosed(page: Page, clock: Clock, timeoutMs: number): Promise<boolean> {
  const socket = socketOf(page);
  if (!socket) return Promise.resolve(true);
  const { engine } = socket.io;
  const ws = engine.transport.name === 'websocket' ? engine.transport.ws : undefined;
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), timeoutMs);
    const done = () => {
      clock.clearTimeout(timer);
      resolve(true);
    };
    const afterEngine = () => (!ws || ws.readyState === 3 ? done() : ws.addEventListener('close', done, { once: true }));
    if (engine.readyState === 'closed') afterEngine();
    else engine.once('close', afterEngine);
  });
}

/**
 * The SDK keeps the last channel id in sessionStorage for a few seconds and gives it to the next anonymous
 * register(): a signed-out user would come back as the one before. Storage may be unavailable (privacy modes).
 */
export function forgetChannelId(): void {
  try {
    for (const key of ['apiCCId', 'apiKey', 'sessionId']) globalThis.sessionStorage?.removeItem(key);
  } catch {
    // no storage, nothing remembered
  }
}
