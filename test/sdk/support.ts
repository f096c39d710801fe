/**
 * Typed views of the SDK's page-wide socket layer, for the fact tests in this folder. The SDK's module
 * export is its page global `apiCC` (also `window.apiRTC`): `apiCC.session` is the one ApiCCSession of the
 * page, `apiCC.session.channel.socket` its socket.io-client Socket, `socket.io` that socket's own Manager
 * (the SDK connects with `forceNew: true`), `socket.io.engine` the engine.io socket and `.transport` the
 * transport in use (`polling`, or `websocket` with the browser WebSocket as `.ws`). None of this is public
 * API of @apirtc/apirtc 5.0.35; docs/sdk-behaviour.md says which SDK code each name comes from.
 */
import type { ApiRtc } from '../support/apirtc-sdk.js';

type Listener = (...args: never[]) => void;

/** The part of an engine.io-client transport the tests read. */
export interface EngineTransport {
  readonly name: string;
  /** The browser WebSocket of the `websocket` transport. */
  readonly ws?: WebSocket;
}

/** The part of an engine.io-client Socket the tests read. */
export interface EngineSocket {
  readonly readyState: string;
  readonly transport: EngineTransport;
  once(event: 'close' | 'upgrade' | 'open', listener: Listener): unknown;
  on(event: 'upgrade', listener: Listener): unknown;
  off(event: 'upgrade', listener: Listener): unknown;
  /** What engine.io-client's ping timer calls when no ping came in time. */
  _onClose(reason: string): void;
}

/** The part of a socket.io-client Manager the tests read. */
export interface SocketManager {
  readonly engine: EngineSocket;
  once(event: 'open' | 'close', listener: Listener): unknown;
}

/** The part of a socket.io-client Socket the tests read. */
export interface PageSocket {
  readonly id: string | undefined;
  readonly connected: boolean;
  /** socket.io-client: false once the socket will never connect or reconnect again. */
  readonly active: boolean;
  readonly io: SocketManager;
  once(event: 'connect' | 'disconnect' | 'connect_error', listener: Listener): unknown;
  disconnect(): unknown;
}

/** `apiCC.session` (an ApiCCSession): the page's one session. */
export interface PageSession {
  readonly apiCCId: string;
  readonly channel: { readonly socket: PageSocket | null; readonly channelHasBeenDisconnected: boolean };
}

/** The page global `apiCC` (the SDK's module export) with the members the tests use. */
export interface PageLayer {
  /** Undefined before the first register, null after `disconnect()`. */
  readonly session?: PageSession | null;
  /** Whether the socket.io script counts as loaded (apiCC.init then re-opens the channel of `session`). */
  readonly jsLoaded: boolean;
  /** apiCC.disconnect: what `ua.unregister()` ends with; resets the whole page socket layer. */
  disconnect(options?: { invalidateApiCCId?: boolean; unregister?: boolean }): void;
}

export function pageLayer(apiRTC: ApiRtc): PageLayer {
  return apiRTC as unknown as PageLayer;
}

/** The page's socket right now (`apiCC.session.channel.socket`), or null. */
export function pageSocket(apiRTC: ApiRtc): PageSocket | null {
  return pageLayer(apiRTC).session?.channel.socket ?? null;
}

/**
 * The recipe that brings the page socket layer back to a clean state whatever it is in: the SDK's own
 * teardown. It disconnects the page socket (and so stops its reconnects), drops the stale listeners of
 * failed registers and sets `apiCC.session = null`, `apiCC.jsLoaded = false`, so that the next register()
 * builds a new ApiCCSession. `invalidateApiCCId` keeps it from saving the channel id in sessionStorage.
 * Call it before creating the next UserAgent (it also removes the listeners of UserAgents created since
 * the last teardown).
 */
export function resetPageLayer(apiRTC: ApiRtc): void {
  const layer = pageLayer(apiRTC);
  if (layer.session) layer.disconnect({ invalidateApiCCId: true });
}

export type CloseOutcome = 'closed' | 'timeout';

function webSocketOf(transport: EngineTransport): WebSocket | undefined {
  return transport.name === 'websocket' ? transport.ws : undefined;
}

/**
 * Call BEFORE ua.unregister(): resolves, at most `timeoutMs` later, once the cloud must have seen `socket`
 * close. engine.io-client defers its close until the DISCONNECT packet is written (on polling: until the POST
 * carrying it has been answered, so the server has handled it), then emits 'close' and drops its transport's
 * WebSocket (`transport.ws = null`) before that WebSocket has closed: so the WebSocket is taken now (or at an
 * upgrade), and on websocket the wait goes on until it has closed (the server's close frame comes after it
 * handled the DISCONNECT frame).
 */
export function socketClosed(socket: PageSocket, timeoutMs = 2000): Promise<CloseOutcome> {
  const engine = socket.io.engine;
  let ws = webSocketOf(engine.transport);
  const onUpgrade = () => {
    ws = webSocketOf(engine.transport);
  };
  engine.on('upgrade', onUpgrade);
  return new Promise<CloseOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: CloseOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      engine.off('upgrade', onUpgrade);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const afterEngine = () => {
      if (!ws || ws.readyState === WebSocket.CLOSED) finish('closed');
      else ws.addEventListener('close', () => finish('closed'), { once: true });
    };
    if (engine.readyState === 'closed') afterEngine();
    else engine.once('close', afterEngine);
  });
}

/** A promise's outcome, readable synchronously: to check that a register() has not settled. */
export interface Settling<T> {
  readonly promise: Promise<T>;
  readonly state: 'pending' | 'resolved' | 'rejected';
  readonly value: T | undefined;
  readonly reason: unknown;
}

export function settling<T>(promise: Promise<T>): Settling<T> {
  const tracked: { promise: Promise<T>; state: Settling<T>['state']; value: T | undefined; reason: unknown } = {
    promise,
    state: 'pending',
    value: undefined,
    reason: undefined,
  };
  promise.then(
    (value) => {
      tracked.state = 'resolved';
      tracked.value = value;
    },
    (reason: unknown) => {
      tracked.state = 'rejected';
      tracked.reason = reason;
    },
  );
  return tracked;
}

/** A page-wide SDK event as dispatched on `document` (`channelEvent`, `sessionReady`). */
export interface PageEvent {
  type: string;
  /** For `channelEvent`: onChannelOpened, onChannelDisconnect, onChannelConnectError, ... */
  channelEvent?: string;
  /** The socket.io payload: a disconnect reason, an Error's message, an attempt number. */
  detail?: string;
}

/** Records the SDK's page-wide `channelEvent` and `sessionReady` events until `stop()`. */
export function recordPageEvents(): { events: PageEvent[]; stop(): void } {
  const events: PageEvent[] = [];
  const onEvent = (event: Event) => {
    const detail = (event as CustomEvent<{ channelEvent?: string; event?: unknown }>).detail;
    const payload = detail?.event;
    const text = payload instanceof Error ? payload.message : payload === undefined ? undefined : String(payload);
    events.push({ type: event.type, ...(detail?.channelEvent ? { channelEvent: detail.channelEvent } : {}), ...(text === undefined ? {} : { detail: text }) });
  };
  document.addEventListener('channelEvent', onEvent);
  document.addEventListener('sessionReady', onEvent);
  return {
    events,
    stop() {
      document.removeEventListener('channelEvent', onEvent);
      document.removeEventListener('sessionReady', onEvent);
    },
  };
}

type Connect = (url: string, options?: Record<string, unknown>) => PageSocket;

/**
 * Hands over every socket the SDK opens: wraps `connect` of the global `io` (the SDK copies `io` to
 * `window.rtcio` when its script has loaded and calls `rtcio.connect(url, options)`). `restore()` undoes it.
 */
export function captureSockets(): { next(): Promise<{ socket: PageSocket; url: string; options: Record<string, unknown> }>; restore(): void } {
  const io = (globalThis as { io?: { connect: Connect } }).io;
  if (!io) throw new Error('the global io is defined by loadApiRtc() (beforeAll)');
  const original = io.connect;
  type Opened = { socket: PageSocket; url: string; options: Record<string, unknown> };
  const opened: Opened[] = [];
  const waiting: ((value: Opened) => void)[] = [];
  io.connect = (url, options = {}) => {
    const socket = original(url, options);
    const entry = { socket, url, options };
    const waiter = waiting.shift();
    if (waiter) waiter(entry);
    else opened.push(entry);
    return socket;
  };
  return {
    next() {
      const ready = opened.shift();
      return ready ? Promise.resolve(ready) : new Promise<Opened>((resolve) => waiting.push(resolve));
    },
    restore() {
      io.connect = original;
    },
  };
}

/** Resolves when the socket's Manager has opened its engine.io connection (the socket.io CONNECT is then pending). */
export function transportOpen(socket: PageSocket): Promise<void> {
  return new Promise((resolve) => socket.io.once('open', () => resolve()));
}

/** Resolves once the socket runs on the websocket transport (at once if it already does). */
export function upgraded(socket: PageSocket): Promise<void> {
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return Promise.resolve();
  return new Promise((resolve) => engine.once('upgrade', () => resolve()));
}

/** Resolves on the socket's next client-side `connect` (at once if it is connected). */
export function socketConnected(socket: PageSocket): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve) => socket.once('connect', () => resolve()));
}

/** The `{value, expiresAt}` entry the SDK keeps in sessionStorage under `key` (apiCCId, apiKey, sessionId). */
export function storedSdkValue(key: string): { value: unknown; expiresAt: string } | null {
  const raw = sessionStorage.getItem(key);
  return raw === null ? null : (JSON.parse(raw) as { value: unknown; expiresAt: string });
}
