import type { Socket } from 'socket.io-client';
import type { ApiRtcCloud } from '../../src/cloud/index.js';
import type { MessageAck } from '../../src/cloud/conversation-talk.js';
import type { ImAck } from '../../src/cloud/im-talk.js';
import { connectOk, nextMessage, type CcsMessage } from '../support/ccs-client.js';

/**
 * A second user without the SDK (one SDK UserAgent per page): a raw socket.io client that connects as the SDK
 * does and speaks the SDK's conversation messages. `join` does what the SDK's `conversation.join()` does on the
 * socket: `joinSession`, then, on the answer, joining and subscribing to the presence group of the conversation.
 * It also sends one-to-one IMs (`IMMessage`).
 */
export class ConversationPeer {
  readonly socket: Socket;
  readonly channelId: string;
  #cSeq = 0;

  private constructor(socket: Socket, channelId: string) {
    this.socket = socket;
    this.channelId = channelId;
  }

  static async connect(cloud: ApiRtcCloud, query: { channelId: string; apiKey: string; token: string }): Promise<ConversationPeer> {
    const socket = await connectOk(cloud, { ...query, presenceGroup: '[]', subscribeToPresenceGroup: '[]', userData: JSON.stringify({ nickname: query.channelId }) });
    return new ConversationPeer(socket, query.channelId);
  }

  /** Joins a conversation; resolves with the joinSessionAnswer. */
  async join(name: string, data: Record<string, unknown> = {}): Promise<CcsMessage> {
    const transactionId = `tx-${this.channelId}-${name}`;
    const answer = nextMessage(this.socket, (message) => message.type === 'joinSessionAnswer' && message.roomName === name && message.transactionId === transactionId);
    this.socket.emit('joinSession', JSON.stringify({ type: 'joinSession', roomId: name, callerId: this.channelId, transactionId, data }));
    const answered = await answer;
    if (!(answered.data as { failed?: boolean } | undefined)?.failed) {
      this.socket.emit('presenceGroupManagement', JSON.stringify({ command: 'join', group: [name] }));
      this.socket.emit('presenceGroupManagement', JSON.stringify({ command: 'subscribe', group: [name] }));
    }
    return answered;
  }

  leave(name: string): void {
    this.socket.emit('leaveSession', JSON.stringify({ type: 'leaveSession', roomId: name }));
    this.socket.emit('presenceGroupManagement', JSON.stringify({ command: 'leave', group: [name] }));
  }

  /** Sends an IM to a conversation as the SDK does (`groupChatMessage` with an ack); resolves with the ack. */
  send(name: string, data: string, extra: Record<string, unknown> = {}): Promise<MessageAck> {
    this.#cSeq += 1;
    const message = { type: 'groupChatMessage', groupChatId: name, senderId: this.channelId, nickname: this.channelId, cSeq: this.#cSeq, data, ...extra };
    return this.socket.timeout(10_000).emitWithAck('groupChatMessage', JSON.stringify(message)) as Promise<MessageAck>;
  }

  /** Sends a one-to-one IM as the SDK does (`IMMessage` with an ack); resolves with the ack. */
  sendIm(to: string, data: string, extra: Record<string, unknown> = {}): Promise<ImAck> {
    this.#cSeq += 1;
    const message = { type: 'IMMessage', IMId: 0, senderId: this.channelId, nickname: this.channelId, photoURL: null, dstRoomId: to, data, cSeq: this.#cSeq, ...extra };
    return this.socket.timeout(10_000).emitWithAck('IMMessage', JSON.stringify(message)) as Promise<ImAck>;
  }

  close(): void {
    this.socket.close();
  }
}
