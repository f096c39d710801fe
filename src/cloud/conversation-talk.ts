import { idText, parseObject, send, text, type TalkSocket } from './ccs-talk.js';
import type { ConversationMember, Conversations } from './conversations.js';

export interface ConversationTalkDeps {
  conversations: Conversations;
  /** Sends one CCS message to other live sockets (encoded once for all of them). */
  deliver(socketIds: readonly string[], message: object): void;
}

/** What the SDK's message callbacks read: `reason` ('ack' resolves), `cSeq` (its timer), `UUCSeq`. */
export interface MessageAck {
  reason: 'ack' | 'destNotFound';
  cSeq: unknown;
  UUCSeq?: number;
}

/** Answers a socket.io ack, if the client asked for one. */
export function replier<Answer = MessageAck>(ack: unknown): (answer: Answer) => void {
  return typeof ack === 'function' ? (answer) => (ack as (answer: Answer) => void)(answer) : () => undefined;
}

/**
 * Conversations over the CCS socket, signalling only (read from the SDK's MCU and IM clients):
 * `joinSession` -> a `joinSessionAnswer` message, `leaveSession`, and `groupChatMessage` -> its ack to the
 * sender and the message to the other members. Members see each other through presence: after the answer
 * the SDK joins and subscribes to the presence group named after the conversation.
 */
export function talkConversations(socket: TalkSocket, member: ConversationMember, deps: ConversationTalkDeps): void {
  const { conversations } = deps;
  socket.on('joinSession', (json) => {
    const request = parseObject(json);
    const roomName = text(request?.roomId);
    if (!request || roomName === undefined) return;
    const transactionId = request.transactionId;
    const asked = idText(parseObject(request.data)?.convId);
    if (asked !== undefined && asked !== conversations.idOf(member.apiKey, roomName)) {
      send(socket, { type: 'joinSessionAnswer', roomName, transactionId, data: { failed: true, reason: 'unknown conversation id' } });
      return;
    }
    const joined = conversations.join(member, roomName);
    send(socket, {
      type: 'joinSessionAnswer',
      roomName,
      transactionId,
      convId: joined.convId,
      sessionId: joined.sessionId,
      token: joined.token,
      groupChatId: roomName,
      initiator: false,
      data: {},
    });
  });
  socket.on('leaveSession', (json) => {
    const roomName = text(parseObject(json)?.roomId);
    if (roomName !== undefined) conversations.leave(member, roomName);
  });
  socket.on('groupChatMessage', (json, ack) => {
    const reply = replier(ack);
    const message = parseObject(json);
    const name = text(message?.groupChatId);
    const cSeq = message?.cSeq;
    if (!message || name === undefined || !conversations.isMember(member, name)) return reply({ reason: 'destNotFound', cSeq });
    const metadata = parseObject(message.metadata);
    const delivered = {
      type: 'groupChatMessage',
      groupChatId: name,
      // Who sent it is the authenticated session, whatever the message claims.
      senderId: member.channelId,
      nickname: text(message.nickname) ?? member.channelId,
      data: message.data,
      ...(metadata ? { metadata } : {}),
    };
    const others = conversations.members(member.apiKey, name).filter((other) => other.socketId !== socket.id);
    deps.deliver(others.map((other) => other.socketId), delivered);
    conversations.noteMessage(member, name);
    reply({ reason: 'ack', cSeq, UUCSeq: conversations.nextSeq(member.apiKey, name) });
  });
}
