import { randomBytes } from 'node:crypto';

/** One socket in a conversation. */
export interface ConversationMember {
  socketId: string;
  apiKey: string;
  /** The session's id (`register({ id })`): who the other members see. */
  channelId: string;
}

/** What the cloud reports of a conversation: who joined, left or sent a message (never what it said). */
export interface ConversationRecord {
  /** Joined (`joinSession`), left (`leaveSession`, or its socket closed), or sent a group chat message. */
  action: 'join' | 'leave' | 'message';
  /** Conversations are per apiKey: a name of another apiKey is another conversation. */
  apiKey: string;
  /** The conversation's name (`session.getOrCreateConversation(name)`). */
  conversation: string;
  /** The session's id (`register({ id })`). */
  channelId: string;
  /** The socket.io socket id of the session. */
  socketId: string;
  /** The cloud clock (ms since epoch). */
  at: number;
}

/** What joining answers: the ids the SDK keeps for the conversation. */
export interface JoinedConversation {
  /** The cloud's conversation id (what `POST /api/v2/conversation` answers as `id`). */
  convId: string;
  /** The room's session id (the MCU's, in ApiRTC's cloud). */
  sessionId: string;
  /** The room token the SDK keeps as `conversation.token`. */
  token: string;
}

const key = (apiKey: string, name: string) => `${apiKey}\u0000${name}`;

/**
 * Conversations, signalling only: the cloud ids (per apiKey and name, as `POST /api/v2/conversation` hands
 * them out), and which sockets joined which conversation (the SDK's `joinSession` / `leaveSession`).
 * Media (streams, calls, an MCU) is not emulated.
 */
export class Conversations {
  readonly #report: (record: ConversationRecord) => void;
  readonly #now: () => number;
  /** apiKey + name -> cloud conversation id. */
  readonly #ids = new Map<string, string>();
  /** apiKey + name -> the room's session id, while anyone is in it. */
  readonly #rooms = new Map<string, { sessionId: string; members: Map<string, ConversationMember> }>();
  /** apiKey + the pair of user ids -> their one-to-one IM conversation id. */
  readonly #imIds = new Map<string, number>();
  /** apiKey + conversation -> the sequence number of its last message (`UUCSeq`). */
  readonly #seqs = new Map<string, number>();
  #nextId = 1;

  constructor(report: (record: ConversationRecord) => void, now: () => number) {
    this.#report = report;
    this.#now = now;
  }

  /** The cloud id of a conversation, created on first use (what ApiRTC's getOrCreateConversation does). */
  bind(apiKey: string, name: string): string {
    const k = key(apiKey, name);
    let id = this.#ids.get(k);
    if (id === undefined) {
      id = String(this.#nextId++);
      this.#ids.set(k, id);
    }
    return id;
  }

  /** The IM conversation id of two users of an apiKey, the same whichever of them writes. */
  imId(apiKey: string, a: string, b: string): number {
    const pair = key(apiKey, [a, b].sort().join('\u0000'));
    let id = this.#imIds.get(pair);
    if (id === undefined) {
      id = this.#imIds.size + 1;
      this.#imIds.set(pair, id);
    }
    return id;
  }

  /**
   * The next message number (`UUCSeq`) of a conversation: a group chat's name, or a NUL then `im <IMId>` for a
   * one-to-one IM. One sequence for all its senders: the SDK files a conversation's messages in its history by it.
   */
  nextSeq(apiKey: string, conversation: string): number {
    const k = key(apiKey, conversation);
    const seq = (this.#seqs.get(k) ?? 0) + 1;
    this.#seqs.set(k, seq);
    return seq;
  }

  /** The cloud id, if the conversation was bound. */
  idOf(apiKey: string, name: string): string | undefined {
    return this.#ids.get(key(apiKey, name));
  }

  /** Adds a socket to a conversation (again is harmless). */
  join(member: ConversationMember, name: string): JoinedConversation {
    const k = key(member.apiKey, name);
    const convId = this.bind(member.apiKey, name);
    let room = this.#rooms.get(k);
    if (!room) {
      room = { sessionId: String(randomBytes(6).readUIntBE(0, 6)), members: new Map() };
      this.#rooms.set(k, room);
    }
    if (!room.members.has(member.socketId)) {
      room.members.set(member.socketId, member);
      this.#tell('join', member, name);
    }
    return { convId, sessionId: room.sessionId, token: randomBytes(16).toString('base64url') };
  }

  /** Takes a socket out of a conversation; the room ends with its last member. */
  leave(member: ConversationMember, name: string): void {
    const k = key(member.apiKey, name);
    const room = this.#rooms.get(k);
    if (!room?.members.delete(member.socketId)) return;
    if (room.members.size === 0) this.#rooms.delete(k);
    this.#tell('leave', member, name);
  }

  /** A socket closed: it leaves every conversation it was in. */
  remove(member: ConversationMember): void {
    for (const name of this.#joinedBy(member)) this.leave(member, name);
  }

  /** The conversations a socket is in. */
  #joinedBy(member: ConversationMember): string[] {
    const prefix = key(member.apiKey, '');
    return [...this.#rooms].filter(([k, room]) => k.startsWith(prefix) && room.members.has(member.socketId)).map(([k]) => k.slice(prefix.length));
  }

  /** The sockets in a conversation of an apiKey. */
  members(apiKey: string, name: string): ConversationMember[] {
    return [...(this.#rooms.get(key(apiKey, name))?.members.values() ?? [])];
  }

  isMember(member: ConversationMember, name: string): boolean {
    return this.#rooms.get(key(member.apiKey, name))?.members.has(member.socketId) ?? false;
  }

  /** Notes a message sent to a conversation (its content is not kept). */
  noteMessage(member: ConversationMember, name: string): void {
    this.#tell('message', member, name);
  }

  #tell(action: ConversationRecord['action'], member: ConversationMember, conversation: string): void {
    this.#report({ action, apiKey: member.apiKey, conversation, channelId: member.channelId, socketId: member.socketId, at: this.#now() });
  }
}
