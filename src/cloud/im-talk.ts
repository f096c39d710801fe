import { idText, parseObject, type TalkSocket } from './ccs-talk.js';
import type { ConversationMember, Conversations } from './conversations.js';
import { replier, type ConversationTalkDeps, type MessageAck } from './conversation-talk.js';

export interface ImTalkDeps {
  /** The IM conversation ids. */
  conversations: Pick<Conversations, 'imId' | 'nextSeq'>;
  /** The live sockets of a user id of an apiKey. */
  socketsOf(apiKey: string, channelId: string): string[];
  deliver: ConversationTalkDeps['deliver'];
}

/** An IM's ack: as a conversation message's, plus the IM conversation id (`convId`). */
export interface ImAck extends MessageAck {
  convId?: number;
}

/** A field kept as sent when it is a string (an empty nickname or photo URL included). */
const asSent = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * One-to-one instant messages (`contact.sendMessage()`, read from the SDK's IM client): `IMMessage` -> its
 * socket.io ack `{ reason: 'ack', cSeq, UUCSeq, convId }` to the sender and the message to every socket of the
 * destination user, or `destNotFound` when that user is not connected (the SDK rejects with ERROR_NOT_FOUND).
 * A pair of users keeps one IM conversation id (`IMId`).
 */
export function talkIm(socket: TalkSocket, member: ConversationMember, deps: ImTalkDeps): void {
  socket.on('IMMessage', (json, ack) => {
    const reply = replier<ImAck>(ack);
    const message = parseObject(json);
    const to = idText(message?.dstRoomId);
    const cSeq = message?.cSeq;
    const targets = to === undefined || to === member.channelId ? [] : deps.socketsOf(member.apiKey, to);
    if (!message || to === undefined || targets.length === 0) return reply({ reason: 'destNotFound', cSeq });
    const imId = deps.conversations.imId(member.apiKey, member.channelId, to);
    const uuSeq = deps.conversations.nextSeq(member.apiKey, `\u0000im ${imId}`);
    const delivered = {
      type: 'IMMessage',
      IMId: imId,
      // Who sent it is the authenticated session, whatever the message claims.
      senderId: member.channelId,
      nickname: asSent(message.nickname) ?? member.channelId,
      photoURL: asSent(message.photoURL) ?? null,
      data: message.data,
      UUCSeq: uuSeq,
    };
    deps.deliver(targets, delivered);
    reply({ reason: 'ack', cSeq, UUCSeq: uuSeq, convId: imId });
  });
}
