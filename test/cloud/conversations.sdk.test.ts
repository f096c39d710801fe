/**
 * Conversations, signalling only, with the real SDK (jsdom) against the local cloud: join(), members, IM
 * messages and their acks, leave(). The second user is a raw socket.io peer (one SDK UserAgent per page).
 */
import type ApiRtcNamespace from '@apirtc/apirtc';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { nextMessage } from '../support/ccs-client.js';
import { OTHER_API_KEY, TEST_API_KEY } from '../support/cloud.js';
import { nextSdkEvent, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { ConversationPeer } from './conversation-peer.js';

type Conversation = ApiRtcNamespace.Conversation;

const env = setupSdkWithCloud();
const peers: ConversationPeer[] = [];
/**
 * A conversation name per test: the SDK keeps a joined conversation joined after unregister(), page-wide, even
 * for a new UserAgent (see "after unregister()" below), so a name joined by one test would refuse the next join().
 */
let rooms = 0;
let demo = 'room-0';
beforeEach(() => {
  rooms += 1;
  demo = `room-${rooms}`;
});

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

async function peer(channelId: string, apiKey = TEST_API_KEY): Promise<ConversationPeer> {
  const connected = await ConversationPeer.connect(env.cloud, { channelId, apiKey, token: await env.signToken({ userId: channelId, apiKey }) });
  peers.push(connected);
  return connected;
}

async function alice() {
  const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
  return ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }), contactDisconnectionDelay: 50 }));
}

/** bob (a raw peer) joins the test's conversation, then alice (the SDK) registers and joins it. */
async function bobThenAlice() {
  const bob = await peer('bob');
  await bob.join(demo);
  const session = await alice();
  const conversation = session.getOrCreateConversation(demo);
  await conversation.join();
  return { bob, session, conversation };
}

/** The conversation's members as the SDK sees them (its contacts in the conversation's presence group). */
function contactIds(conversation: Conversation): string[] {
  return Object.keys(conversation.getContacts()).sort();
}

interface ConversationMessage {
  sender: { getId(): string };
  content: string;
}

describe('joining a conversation', { timeout: 20_000 }, () => {
  test('join() resolves; the session lists it as active; the cloud has alice in it', async () => {
    const session = await alice();
    const conversation = session.getOrCreateConversation(demo);
    const joined = env.cloud.waitFor('conversation', (record) => record.action === 'join');
    await conversation.join();
    expect(conversation.isJoined()).toBe(true);
    expect(Object.keys(session.getActiveConversations())).toEqual([demo]);
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual(['alice']);
    expect(await joined).toMatchObject({ action: 'join', apiKey: TEST_API_KEY, conversation: demo, channelId: 'alice' });
  });

  test('the REST calls of join(): the conversation, then the access check with its id', async () => {
    const session = await alice();
    env.cloud.clearRecords();
    await session.getOrCreateConversation(demo).join();
    expect(env.cloud.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      'POST /api/v2/conversation 200',
      `POST /api/v2/conferences/${demo}/checkAccess 200`,
    ]);
  });

  test('members: alice sees bob, who joined first, and carol, who joins later; bob sees alice', async () => {
    const bob = await peer('bob');
    await bob.join(demo);
    const session = await alice();
    const conversation = session.getOrCreateConversation(demo);
    const bobSeesAlice = nextMessage(bob.socket, (message) => message.type === 'updatePresence' && message.group === demo && message.state === 'online');
    await conversation.join();
    await expect.poll(() => contactIds(conversation), { interval: 10 }).toEqual(['bob']);
    expect((await bobSeesAlice).connectedUsersList).toEqual(['alice']);

    const carolJoined = nextSdkEvent<{ getId(): string }>(conversation as never, 'contactJoined', (contact) => contact.getId() === 'carol');
    const carol = await peer('carol');
    await carol.join(demo);
    await carolJoined;
    expect(contactIds(conversation)).toEqual(['bob', 'carol']);
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  test('a member leaving: contactLeft for the SDK user, and the cloud forgets them', async () => {
    const { bob, conversation } = await bobThenAlice();
    await expect.poll(() => contactIds(conversation), { interval: 10 }).toEqual(['bob']);
    const left = nextSdkEvent<{ getId(): string }>(conversation as never, 'contactLeft', (contact) => contact.getId() === 'bob');
    bob.leave(demo);
    await left;
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual(['alice']);
  });

  test("leave() takes alice out: the cloud's members, and the session has no active conversation", async () => {
    const session = await alice();
    const conversation = session.getOrCreateConversation(demo);
    await conversation.join();
    const left = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'alice');
    await conversation.leave();
    await left;
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual([]);
    expect(Object.keys(session.getActiveConversations())).not.toContain(demo);
  });

  test('unregister() ends the membership with the socket', async () => {
    const session = await alice();
    await session.getOrCreateConversation(demo).join();
    const left = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'alice');
    await session.getUserAgent().unregister();
    await left;
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual([]);
  });

  test("after unregister(), the SDK still says joined (page-wide, even on a new UserAgent) while the cloud has no member; sendMessage() rejects; leave() resets it", async () => {
    const first = await alice();
    const conversation = first.getOrCreateConversation(demo);
    await conversation.join();
    const left = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'alice');
    await first.getUserAgent().unregister();
    await left;
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const second = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    expect(second.getOrCreateConversation(demo)).toBe(conversation);
    expect(conversation.isJoined()).toBe(true);
    // The earlier tests' conversations are listed too: none of them was left.
    expect(Object.keys(second.getActiveConversations())).toContain(demo);
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual([]);
    // A message to it: the cloud has no such member and answers destNotFound, on which sendMessage() rejects.
    const sending = conversation.sendMessage('still there?');
    await expect(sending).rejects.toMatchObject({ error: expect.objectContaining({ message: 'sendMessage() - cannot send message' }) });
    expect(env.cloud.conversations.filter((record) => record.action === 'message')).toEqual([]);
    // join() refuses a conversation the SDK thinks joined; leave() resets it, then join() works again.
    await expect(conversation.join()).rejects.toMatchObject({ error: expect.objectContaining({ message: 'join() - cannot join conversation' }) });
    await conversation.leave();
    expect(Object.keys(second.getActiveConversations())).not.toContain(demo);
    await conversation.join();
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual(['alice']);
  });

  test('conversations are per apiKey: a namesake of another apiKey is another conversation', async () => {
    const mallory = await peer('mallory', OTHER_API_KEY);
    await mallory.join(demo);
    const session = await alice();
    const conversation = session.getOrCreateConversation(demo);
    await conversation.join();
    expect(env.cloud.conversationMembers(demo, TEST_API_KEY)).toEqual(['alice']);
    expect(env.cloud.conversationMembers(demo, OTHER_API_KEY)).toEqual(['mallory']);
    expect(contactIds(conversation)).toEqual([]);
  });
});

describe('IM messages in a conversation', { timeout: 20_000 }, () => {
  test('sendMessage() resolves on the cloud ack; bob gets the message, from alice', async () => {
    const { bob, conversation } = await bobThenAlice();
    const received = nextMessage(bob.socket, (message) => message.type === 'groupChatMessage');
    env.cloud.clearRecords();
    await expect(conversation.sendMessage('hello bob')).resolves.toEqual(expect.any(Number));
    expect(await received).toMatchObject({ type: 'groupChatMessage', groupChatId: demo, senderId: 'alice', data: 'hello bob' });
    // After the ack the SDK saves the message over REST (the cloud answers and keeps nothing).
    await expect.poll(() => env.cloud.requests.map((request) => `${request.path} ${request.status}`), { interval: 10 }).toContain('/api/v2/groupChatMessages 200');
    expect(env.cloud.conversations).toEqual([expect.objectContaining({ action: 'message', conversation: demo, channelId: 'alice' })]);
    expect(JSON.stringify(env.cloud.state())).not.toContain('hello bob');
  });

  test("bob's message reaches alice's conversation as a 'message' event; bob's ack says ack", async () => {
    const { bob, conversation } = await bobThenAlice();
    const message = nextSdkEvent<ConversationMessage>(conversation as never, 'message');
    const ack = await bob.send(demo, 'hello alice');
    expect(ack).toMatchObject({ reason: 'ack', cSeq: 1, UUCSeq: expect.any(Number) });
    const got = await message;
    expect(got.content).toBe('hello alice');
    expect(got.sender.getId()).toBe('bob');
  });

  test('the sender is the authenticated session, whatever the message claims', async () => {
    const { bob, conversation } = await bobThenAlice();
    const message = nextSdkEvent<ConversationMessage>(conversation as never, 'message');
    await bob.send(demo, 'it is me, carol', { senderId: 'carol' });
    expect((await message).sender.getId()).toBe('bob');
  });

  test('a message to a conversation the peer has not joined: ack destNotFound, delivered to nobody', async () => {
    const bob = await peer('bob');
    const session = await alice();
    await session.getOrCreateConversation(demo).join();
    await expect(bob.send(demo, 'let me in')).resolves.toMatchObject({ reason: 'destNotFound', cSeq: 1 });
    expect(env.cloud.conversations.filter((record) => record.action === 'message')).toEqual([]);
  });

  test('sendMessage() before join() rejects in the SDK: nothing reaches the cloud', async () => {
    const session = await alice();
    env.cloud.clearRecords();
    await expect(session.getOrCreateConversation(demo).sendMessage('too early')).rejects.toBeDefined();
    expect(env.cloud.requests).toEqual([]);
    expect(env.cloud.conversations).toEqual([]);
  });
});

describe('one-to-one IM', { timeout: 20_000 }, () => {
  test("contact.sendMessage() resolves on the cloud ack; bob's answer is the session's contactMessage", async () => {
    const bob = await peer('bob');
    const session = await alice();
    const atBob = nextMessage(bob.socket, (message) => message.type === 'IMMessage');
    await expect(session.getOrCreateContact('bob').sendMessage('hi bob')).resolves.toEqual(expect.any(Number));
    expect(await atBob).toMatchObject({ type: 'IMMessage', senderId: 'alice', data: 'hi bob' });

    const answer = nextSdkEvent<ConversationMessage>(session as never, 'contactMessage');
    await expect(bob.sendIm('alice', 'hi alice')).resolves.toMatchObject({ reason: 'ack' });
    const got = await answer;
    expect(got.content).toBe('hi alice');
    expect(got.sender.getId()).toBe('bob');
  });

  test('contact.sendMessage() to a user who is not connected rejects (the cloud answers destNotFound)', async () => {
    const session = await alice();
    // ERROR_NOT_FOUND (8), at once: not the ERROR_TIMED_OUT (11) of an unanswered message.
    await expect(session.getOrCreateContact('nobody').sendMessage('anyone?')).rejects.toMatchObject({ code: 8 });
  });
});
