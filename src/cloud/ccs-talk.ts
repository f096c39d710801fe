import { randomBytes } from 'node:crypto';
import type { ApzTokens } from './apz-tokens.js';
import type { Presence } from './presence.js';

/** What the CCS says to the SDK: `message` events whose payload is a JSON string with a `type`. */
export interface CcsServerEvents {
  message: (json: string) => void;
}

/** What the SDK emits: an event per message type, each with a JSON string payload. */
export interface CcsClientEvents {
  [event: string]: (json: unknown, ack?: unknown) => void;
}

/** The socket surface the talk needs (socket.io's Socket has it). */
export interface TalkSocket {
  readonly id: string;
  emit(event: 'message', json: string): boolean;
  /** Some events carry a socket.io ack (`ack`). */
  on(event: string, listener: (json: unknown, ack?: unknown) => void): unknown;
}

export interface TalkSession {
  apiKey: string;
  channelId: string;
  /** The cloud's session id, sent to the SDK in the `sessionId` message. */
  sessionId: string;
  userData: Record<string, unknown>;
  presenceGroups: string[];
  subscribedGroups: string[];
}

export interface TalkDeps {
  apz: ApzTokens;
  presence: Presence;
  /** A handler failed (a bug of the cloud, or it is closing). */
  onError(error: unknown): void;
}

/** A new cloud session id: what ApiRTC's `sessionId` message carries. */
export function newCloudSessionId(): string {
  return randomBytes(12).toString('base64url');
}

/** A message's JSON object (the SDK sends JSON strings), or undefined. */
export function parseObject(json: unknown): Record<string, unknown> | undefined {
  if (typeof json !== 'string') return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A message field that must be a non-empty string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A message field holding an id, which the SDK sends as a number or a string. */
export function idText(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : text(value);
}

/** A JSON array of group names, as the handshake query and presenceGroupManagement carry them. */
export function groupList(value: unknown): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  return Array.isArray(list) ? list.filter((group): group is string => typeof group === 'string' && group !== '') : [];
}

/** The userData object of the handshake query (JSON), or {}. */
export function queryUserData(value: unknown): Record<string, unknown> {
  return (typeof value === 'string' && parseObject(value)) || {};
}

export function send(socket: TalkSocket, message: Record<string, unknown>): void {
  socket.emit('message', JSON.stringify(message));
}

/**
 * What ApiRTC's CCS says on a new connection and answers afterwards (read from the SDK's
 * processSignalingMessage): the `sessionId` message with a JWTApzToken, JWTTokenRefreshRequest ->
 * JWTTokenRefreshAnswer, presence (the query's groups, presenceGroupManagement, setUserData).
 */
export async function startTalk(socket: TalkSocket, session: TalkSession, deps: TalkDeps): Promise<void> {
  const { apz, presence } = deps;
  const holder = { apiKey: session.apiKey, channelId: session.channelId, sessionId: session.sessionId };
  const guard = (work: () => Promise<void> | void) => () => {
    Promise.resolve()
      .then(work)
      .catch((error: unknown) => deps.onError(error));
  };
  socket.on('JWTTokenRefreshRequest', guard(async () => send(socket, { type: 'JWTTokenRefreshAnswer', JWTApzToken: await apz.issue(holder) })));
  socket.on('presenceGroupManagement', (json) => {
    const request = parseObject(json);
    const groups = groupList(request?.group);
    if (request?.command === 'join') presence.join(socket.id, groups);
    else if (request?.command === 'leave') presence.leave(socket.id, groups);
    else if (request?.command === 'subscribe') presence.subscribe(socket.id, groups);
    else if (request?.command === 'unsubscribe') presence.unsubscribe(socket.id, groups);
  });
  socket.on('setUserData', (json) => {
    const userData = parseObject(parseObject(json)?.userData);
    if (userData) presence.updateUserData(socket.id, userData);
  });
  // Presence first, synchronously: a disconnect that comes while the token is signed finds it to remove.
  presence.add({ socketId: socket.id, apiKey: session.apiKey, userId: session.channelId, userData: session.userData });
  presence.join(socket.id, session.presenceGroups);
  presence.subscribe(socket.id, session.subscribedGroups);
  send(socket, { type: 'sessionId', sessionId: session.sessionId, JWTApzToken: await apz.issue(holder) });
}
