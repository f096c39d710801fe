import { io, type Socket } from 'socket.io-client';
import type { ApiRtcCloud } from '../../src/cloud/index.js';

export interface HandshakeQuery {
  channelId?: string;
  apiKey?: string;
  token?: string;
  [name: string]: string | undefined;
}

export interface ClientOptions {
  transports?: ('polling' | 'websocket')[];
  reconnection?: boolean;
  /** Sent as the Origin header (Node clients send none by default). */
  origin?: string;
  /** With reconnection: resolve on `connect` only, through any transport errors before it. */
  untilConnected?: boolean;
}

export type HandshakeOutcome = { ok: true; socket: Socket } | { ok: false; message: string; data: unknown; socket: Socket };

/**
 * Opens a socket.io connection to the cloud's CCS the way the SDK does (default path, query string),
 * without the SDK: fast, and in Node. Resolves on `connect` or on the first `connect_error`.
 */
export function connectCcs(cloud: ApiRtcCloud, query: HandshakeQuery, options: ClientOptions = {}): Promise<HandshakeOutcome> {
  const clean = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const socket = io(cloud.url, {
    query: clean,
    forceNew: true,
    transports: options.transports ?? ['polling', 'websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    ...(options.origin === undefined ? {} : { extraHeaders: { Origin: options.origin } }),
  });
  const inbox: CcsMessage[] = [];
  inboxes.set(socket, inbox);
  // From the start: the CCS may speak in the same packet as the handshake answer.
  socket.on('message', (json: unknown) => {
    const message = typeof json === 'string' ? (JSON.parse(json) as CcsMessage) : (json as CcsMessage);
    inbox.push(message);
    for (const waiter of [...(waiters.get(socket) ?? [])]) waiter(message);
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.off('connect_error');
      resolve({ ok: true, socket });
    });
    if (options.untilConnected) return;
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.off('connect');
      resolve({ ok: false, message: error.message, data: error.data, socket });
    });
  });
}

/** A `message` the CCS sent (a JSON string on the wire), parsed. */
export interface CcsMessage {
  type: string;
  [field: string]: unknown;
}

const inboxes = new WeakMap<Socket, CcsMessage[]>();
const waiters = new WeakMap<Socket, Set<(message: CcsMessage) => void>>();

/** Every message the CCS sent this socket so far. */
export function messagesOf(socket: Socket): CcsMessage[] {
  return [...(inboxes.get(socket) ?? [])];
}

/** The first message (already received or still to come) passing `predicate`. */
export function nextMessage(socket: Socket, predicate: (message: CcsMessage) => boolean, timeoutMs = 10_000): Promise<CcsMessage> {
  const seen = messagesOf(socket).find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const set = waiters.get(socket) ?? new Set();
    waiters.set(socket, set);
    const timer = setTimeout(() => {
      set.delete(waiter);
      reject(new Error(`no matching CCS message within ${timeoutMs} ms`));
    }, timeoutMs);
    const waiter = (message: CcsMessage) => {
      if (!predicate(message)) return;
      clearTimeout(timer);
      set.delete(waiter);
      resolve(message);
    };
    set.add(waiter);
  });
}

/** Connects and fails the test unless the handshake is accepted. */
export async function connectOk(cloud: ApiRtcCloud, query: HandshakeQuery, options?: ClientOptions): Promise<Socket> {
  const outcome = await connectCcs(cloud, query, options);
  if (!outcome.ok) {
    outcome.socket.close();
    throw new Error(`handshake refused: ${outcome.message}`);
  }
  return outcome.socket;
}

/** Connects and fails the test unless the handshake is refused; returns the message and data. */
export async function connectRefused(cloud: ApiRtcCloud, query: HandshakeQuery, options?: ClientOptions): Promise<{ message: string; data: unknown }> {
  const outcome = await connectCcs(cloud, query, options);
  outcome.socket.close();
  if (outcome.ok) throw new Error('handshake accepted, a refusal was expected');
  return { message: outcome.message, data: outcome.data };
}

/** The next event of a socket.io client socket. */
export function nextClientEvent<T extends unknown[]>(socket: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    socket.once(event, listener);
  });
}
