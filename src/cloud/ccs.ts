import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server, type Socket } from 'socket.io';
import type { ApzTokens } from './apz-tokens.js';
import { talkConversations } from './conversation-talk.js';
import type { Conversations } from './conversations.js';
import { talkIm } from './im-talk.js';
import { groupList, newCloudSessionId, queryUserData, startTalk, type CcsClientEvents, type CcsServerEvents } from './ccs-talk.js';
import { socketIoCors } from './cors.js';
import type { FaultSwitches, SessionFilter } from './faults.js';
import { Presence } from './presence.js';
import type { CloudReporter, DisconnectCause, LiveSession } from './records.js';
import type { Timers } from './timers.js';
import { decideHandshake, modeOf, readHandshakeQuery, unverifiedJti, type HandshakeContext } from './verify.js';

/** The CCS session the handshake middleware accepted, kept on `socket.data`. */
interface CcsSocketData {
  session: LiveSession;
  origin: string | undefined;
}

type CcsServer = Server<CcsClientEvents, CcsServerEvents, Record<string, never>, CcsSocketData>;
type CcsSocket = Socket<CcsClientEvents, CcsServerEvents, Record<string, never>, CcsSocketData>;

export interface CcsOptions {
  context: HandshakeContext;
  switches: FaultSwitches;
  timers: Timers;
  report: CloudReporter;
  apz: ApzTokens;
  conversations: Conversations;
}

/** A refused handshake; socket.io sends `message` and `data` to the client (`connect_error`). */
class HandshakeRefusal extends Error {
  readonly data: { reason: string };
  constructor(message: string, reason: string) {
    super(message);
    this.data = { reason };
  }
}

function engineId(socket: CcsSocket): string | undefined {
  const id: unknown = (socket.conn as unknown as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function matches(session: LiveSession, filter: SessionFilter): boolean {
  return (
    (filter.channelId === undefined || filter.channelId === session.channelId) &&
    (filter.apiKey === undefined || filter.apiKey === session.apiKey) &&
    (filter.mode === undefined || filter.mode === session.mode)
  );
}

/**
 * The CCS: a socket.io 4 server on the cloud's HTTP server (default path /socket.io/), whose handshake
 * middleware authenticates the SDK's connection (see verify.ts) and which records every session.
 */
export class Ccs {
  readonly io: CcsServer;
  readonly #options: CcsOptions;
  /** Upgraded (WebSocket) TCP connections by engine.io session id: what a network-style drop destroys. */
  readonly #rawSockets = new Map<string, Duplex>();
  /** Why the cloud is ending a socket, read when its disconnect arrives. */
  readonly #causes = new Map<string, DisconnectCause>();
  /** Who is in which presence group; sends the SDK its updatePresence messages. */
  readonly presence: Presence;
  #closed = false;

  constructor(httpServer: HttpServer, options: CcsOptions) {
    this.#options = options;
    this.presence = new Presence((socketId, message) => this.#deliver([socketId], message));
    this.io = new Server(httpServer, { serveClient: false, cors: socketIoCors, allowRequest: (req, callback) => this.#allowRequest(req, callback) });
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.#trackUpgrade(req, socket));
    this.io.use((socket, next) => {
      this.#handshake(socket).then(
        () => next(),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.io.on('connection', (socket) => this.#connected(socket));
  }

  /** The sessions connected right now. */
  sockets(filter: SessionFilter = {}): CcsSocket[] {
    return [...this.io.of('/').sockets.values()].filter((socket) => socket.data.session && matches(socket.data.session, filter));
  }

  drop(filter: SessionFilter = {}): number {
    const targets = this.sockets(filter);
    for (const socket of targets) {
      this.#causes.set(socket.id, 'drop');
      const id = engineId(socket);
      // Destroying the TCP connection is what a network failure looks like to the client ...
      if (id !== undefined) this.#rawSockets.get(id)?.destroy();
      // ... and closing the engine.io transport ends the server side at once, without a socket.io
      // disconnect packet: the client sees 'transport close' (or a poll error) and reconnects.
      socket.conn.close(true);
    }
    return targets.length;
  }

  kick(filter: SessionFilter = {}): number {
    const targets = this.sockets(filter);
    for (const socket of targets) {
      this.#causes.set(socket.id, 'kick');
      // The disconnect packet alone: the client then closes its own connection. disconnect(true) would
      // make engine.io wait for a polling client's next poll on a 30 s timer that even close() leaves running.
      socket.disconnect();
    }
    return targets.length;
  }

  /** Marks every live socket as ended by `cause` (before down() or close() cuts them). */
  markAll(cause: DisconnectCause): void {
    for (const socket of this.io.of('/').sockets.values()) this.#causes.set(socket.id, cause);
  }

  /** Closes every socket and the engine (not the HTTP server: the cloud does that). */
  async close(): Promise<void> {
    this.#closed = true;
    this.markAll('close');
    for (const socket of this.#rawSockets.values()) socket.destroy();
    this.#rawSockets.clear();
    await this.io.close();
  }

  /** Sends a CCS message to live sockets (none to one that has gone), encoded once. */
  #deliver(socketIds: readonly string[], message: object): void {
    if (socketIds.length === 0) return;
    const json = JSON.stringify(message);
    const sockets = this.io.of('/').sockets;
    for (const id of socketIds) sockets.get(id)?.emit('message', json);
  }

  /** engine.io asks this for every new connection (not for requests of an open one). */
  #allowRequest(req: IncomingMessage, callback: (message: string | null, success: boolean) => void): void {
    const { switches, report, context } = this.#options;
    if (!switches.takeTransportRefusal()) return callback(null, true);
    const query = readHandshakeQuery(Object.fromEntries(new URL(req.url ?? '/', 'http://cloud.local').searchParams));
    report.refusal({
      stage: 'transport',
      mode: modeOf(query, context),
      channelId: query.channelId,
      apiKey: query.apiKey,
      login: undefined,
      jti: unverifiedJti(query.token),
      reason: 'transport refused (fault)',
      message: 'HTTP 403',
      at: context.now(),
    });
    callback('transport refused (fault)', false);
  }

  #talkFailed(error: unknown): void {
    if (!this.#closed) console.error('[apirtc local cloud] CCS message handling failed:', error);
  }

  #trackUpgrade(req: IncomingMessage, socket: Duplex): void {
    const sid = new URL(req.url ?? '/', 'http://cloud.local').searchParams.get('sid');
    if (sid === null) return;
    this.#rawSockets.set(sid, socket);
    socket.once('close', () => {
      if (this.#rawSockets.get(sid) === socket) this.#rawSockets.delete(sid);
    });
  }

  async #handshake(socket: CcsSocket): Promise<void> {
    const { context, switches, timers, report } = this.#options;
    await timers.delay(switches.latency.handshake);
    if (this.#closed) throw new Error('server shutting down');
    const query = readHandshakeQuery(socket.handshake.query);
    const refusing = switches.refusing;
    const decision =
      refusing === null
        ? await decideHandshake(query, context)
        : { ok: false as const, mode: modeOf(query, context), jti: unverifiedJti(query.token), reason: 'refused (fault)', message: refusing };
    if (!decision.ok) {
      report.refusal({
        stage: 'handshake',
        mode: decision.mode,
        channelId: query.channelId,
        apiKey: query.apiKey,
        login: undefined,
        jti: decision.jti,
        reason: decision.reason,
        message: decision.message,
        at: context.now(),
      });
      throw new HandshakeRefusal(decision.message, decision.reason);
    }
    socket.data.origin = socket.handshake.headers.origin;
    socket.data.session = {
      socketId: socket.id,
      mode: decision.mode,
      channelId: decision.channelId,
      apiKey: decision.apiKey,
      jti: decision.jti,
      apiCCSessionId: query.apiCCSessionId,
      sessionId: newCloudSessionId(),
      connectedAt: context.now(),
    };
  }

  #connected(socket: CcsSocket): void {
    const { report, context } = this.#options;
    const session = socket.data.session;
    report.registration({
      socketId: session.socketId,
      mode: session.mode,
      channelId: session.channelId,
      apiKey: session.apiKey,
      jti: session.jti,
      apiCCSessionId: session.apiCCSessionId,
      origin: socket.data.origin,
      at: session.connectedAt,
    });
    const { query } = socket.handshake;
    void startTalk(
      socket,
      {
        apiKey: session.apiKey,
        channelId: session.channelId,
        sessionId: session.sessionId,
        userData: queryUserData(query.userData),
        presenceGroups: groupList(query.presenceGroup),
        subscribedGroups: groupList(query.subscribeToPresenceGroup),
      },
      { apz: this.#options.apz, presence: this.presence, onError: (error) => this.#talkFailed(error) },
    ).catch((error: unknown) => this.#talkFailed(error));
    const member = { socketId: socket.id, apiKey: session.apiKey, channelId: session.channelId };
    const { conversations } = this.#options;
    const deliver = (socketIds: readonly string[], message: object) => this.#deliver(socketIds, message);
    talkConversations(socket, member, { conversations, deliver });
    talkIm(socket, member, { conversations, deliver, socketsOf: (apiKey, channelId) => this.sockets({ apiKey, channelId }).map((other) => other.id) });
    socket.on('disconnect', (reason) => {
      this.#options.conversations.remove(member);
      this.presence.remove(socket.id);
      this.#options.apz.endSession(session.sessionId);
      const cause = this.#causes.get(socket.id) ?? 'client';
      this.#causes.delete(socket.id);
      report.disconnect({
        socketId: socket.id,
        mode: session.mode,
        channelId: session.channelId,
        apiKey: session.apiKey,
        jti: session.jti,
        reason,
        cause,
        at: context.now(),
      });
    });
  }
}
