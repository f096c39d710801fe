/**
 * The cloud's conversations without the SDK (Node, raw socket.io clients, fetch): the REST answers and their
 * refusals, the joinSession answer, membership, and group chat messages with their acks.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { messagesOf, nextMessage } from '../support/ccs-client.js';
import { OTHER_API_KEY, setupLocalCloud, TEST_API_KEY, waitForNoSessions } from '../support/cloud.js';
import { ConversationPeer } from './conversation-peer.js';

const env = setupLocalCloud();
const peers: ConversationPeer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await waitForNoSessions(env.cloud);
});

async function peer(channelId: string, apiKey = TEST_API_KEY): Promise<ConversationPeer> {
  const connected = await ConversationPeer.connect(env.cloud, { channelId, apiKey, token: await env.signToken({ userId: channelId, apiKey }) });
  peers.push(connected);
  return connected;
}

function post(path: string, fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return fetch(`${env.cloud.url}${path}`, { method: 'POST', body: form });
}

async function bind(name: string, apiKey = TEST_API_KEY): Promise<string> {
  const response = await post('/api/v2/conversation', { name, type: 'conversation', apiKey });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

describe('REST: the conversation, the access check, saved messages', () => {
  test('POST /api/v2/conversation gives one id per apiKey and name, the same on every call', async () => {
    const id = await bind('demo');
    expect(await bind('demo')).toBe(id);
    expect(await bind('other')).not.toBe(id);
    expect(await bind('demo', OTHER_API_KEY)).not.toBe(id);
  });

  test('checkAccess of a bound conversation: public, granted (what join() requires)', async () => {
    const id = await bind('demo');
    const response = await post('/api/v2/conferences/demo/checkAccess', { apiKey: TEST_API_KEY, conv_id: id });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access: 'GRANTED', role: 'guest', type: 'public' });
  });

  test('a name with a space, as the SDK sends it (not encoded by the SDK, encoded by fetch)', async () => {
    const id = await bind('daily standup');
    const response = await post('/api/v2/conferences/daily standup/checkAccess', { apiKey: TEST_API_KEY, conv_id: id });
    expect(response.status).toBe(200);
  });

  test.each([
    ['an unknown apiKey', '/api/v2/conversation', { name: 'demo', apiKey: 'nobody' }, 401, 'unknown apiKey'],
    ['no apiKey', '/api/v2/conversation', { name: 'demo' }, 401, 'unknown apiKey'],
    ['no name', '/api/v2/conversation', { apiKey: TEST_API_KEY }, 400, 'name is required'],
    ['an empty name', '/api/v2/conversation', { name: '', apiKey: TEST_API_KEY }, 400, 'name is required'],
    ['checkAccess, unknown apiKey', '/api/v2/conferences/demo/checkAccess', { apiKey: 'nobody' }, 401, 'unknown apiKey'],
    ['checkAccess, a conversation never bound', '/api/v2/conferences/never/checkAccess', { apiKey: TEST_API_KEY }, 404, 'unknown conversation'],
    ['groupChatMessages, unknown apiKey', '/api/v2/groupChatMessages', { apiKey: 'nobody', message: 'hi' }, 401, 'unknown apiKey'],
  ])('%s: %i', async (_case, path, fields, status, error) => {
    const response = await post(path, fields);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error, status });
  });

  test('checkAccess with the id of another conversation, or of another apiKey: 404', async () => {
    await bind('demo');
    const other = await bind('other');
    const foreign = await bind('demo', OTHER_API_KEY);
    for (const conv_id of [other, foreign]) {
      expect((await post('/api/v2/conferences/demo/checkAccess', { apiKey: TEST_API_KEY, conv_id })).status).toBe(404);
    }
  });

  test('a GET on these routes: 405', async () => {
    expect((await fetch(`${env.cloud.url}/api/v2/conversation`)).status).toBe(405);
  });

  test('POST /api/v2/groupChatMessages answers and keeps nothing of the message', async () => {
    const response = await post('/api/v2/groupChatMessages', { apiKey: TEST_API_KEY, message: 'a private word', ccid: 'alice', parent_conv_id: '1', uuid: '7' });
    expect(response.status).toBe(200);
    expect(JSON.stringify(env.cloud.state())).not.toContain('a private word');
  });
});

describe('the socket: joinSession, members, leaveSession', () => {
  test('joinSession answers joinSessionAnswer with the transaction id, the conversation id and a room session id', async () => {
    const bob = await peer('bob');
    const id = await bind('demo');
    const answer = await bob.join('demo', { convId: id });
    expect(answer).toMatchObject({
      type: 'joinSessionAnswer',
      roomName: 'demo',
      transactionId: 'tx-bob-demo',
      convId: id,
      groupChatId: 'demo',
      sessionId: expect.any(String),
      token: expect.any(String),
      data: {},
    });
    expect(env.cloud.conversationMembers('demo')).toEqual(['bob']);
    // Everyone in a room gets the same room session id.
    const carol = await peer('carol');
    expect((await carol.join('demo')).sessionId).toBe(answer.sessionId);
  });

  test('joinSession without a conversation id binds the name on the way (a client that skipped the REST call)', async () => {
    const bob = await peer('bob');
    const answer = await bob.join('fresh');
    expect(answer.convId).toBe(await bind('fresh'));
  });

  test('joinSession with a conversation id the cloud did not give for that name: failed, not a member', async () => {
    const bob = await peer('bob');
    const other = await bind('other');
    await bind('demo');
    const answer = await bob.join('demo', { convId: other });
    expect(answer).toMatchObject({ type: 'joinSessionAnswer', roomName: 'demo', data: { failed: true, reason: 'unknown conversation id' } });
    expect(env.cloud.conversationMembers('demo')).toEqual([]);
  });

  test('malformed joinSession messages are ignored: no answer, no member, the socket stays', async () => {
    const bob = await peer('bob');
    for (const junk of ['not json', JSON.stringify({ roomId: '' }), JSON.stringify({ roomId: 42 }), JSON.stringify([1])]) bob.socket.emit('joinSession', junk);
    // A well-formed one after them is answered: the junk before it was read and dropped.
    await bob.join('demo');
    expect(messagesOf(bob.socket).filter((message) => message.type === 'joinSessionAnswer')).toHaveLength(1);
    expect(env.cloud.conversationMembers('demo')).toEqual(['bob']);
  });

  test('leaveSession and a closed socket end the membership; records say who, not what', async () => {
    const bob = await peer('bob');
    const carol = await peer('carol');
    await bob.join('demo');
    await carol.join('demo');
    const bobLeft = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'bob');
    bob.leave('demo');
    await bobLeft;
    expect(env.cloud.conversationMembers('demo')).toEqual(['carol']);
    const carolLeft = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'carol');
    carol.close();
    await carolLeft;
    expect(env.cloud.conversationMembers('demo')).toEqual([]);
    expect(env.cloud.conversations.map((record) => `${record.action} ${record.channelId}`)).toEqual(['join bob', 'join carol', 'leave bob', 'leave carol']);
    expect(env.cloud.state().conversations).toHaveLength(4);
  });

  test('conversations are per apiKey', async () => {
    const bob = await peer('bob');
    const olga = await peer('olga', OTHER_API_KEY);
    await bob.join('demo');
    await olga.join('demo');
    expect(env.cloud.conversationMembers('demo', TEST_API_KEY)).toEqual(['bob']);
    expect(env.cloud.conversationMembers('demo', OTHER_API_KEY)).toEqual(['olga']);
    const ack = await olga.send('demo', 'hello?');
    expect(ack.reason).toBe('ack');
    expect(messagesOf(bob.socket).filter((message) => message.type === 'groupChatMessage')).toEqual([]);
  });
});

describe('the socket: group chat messages', () => {
  test('a message is acked to its sender and delivered to every other member, with the metadata', async () => {
    const [bob, carol, dave] = [await peer('bob'), await peer('carol'), await peer('dave')];
    await bob.join('demo');
    await carol.join('demo');
    await dave.join('elsewhere');
    const atCarol = nextMessage(carol.socket, (message) => message.type === 'groupChatMessage');
    const ack = await bob.send('demo', 'hi all', { metadata: { htmlEnable: false } });
    expect(ack).toEqual({ reason: 'ack', cSeq: 1, UUCSeq: 1 });
    expect(await atCarol).toEqual({ type: 'groupChatMessage', groupChatId: 'demo', senderId: 'bob', nickname: 'bob', data: 'hi all', metadata: { htmlEnable: false } });
    expect(messagesOf(bob.socket).filter((message) => message.type === 'groupChatMessage')).toEqual([]);
    expect(messagesOf(dave.socket).filter((message) => message.type === 'groupChatMessage')).toEqual([]);
    expect((await bob.send('demo', 'again')).UUCSeq).toBe(2);
    // One sequence per conversation, whoever sends.
    expect((await carol.send('demo', 'me too')).UUCSeq).toBe(3);
    expect((await dave.send('elsewhere', 'hello')).UUCSeq).toBe(1);
  });

  test('not a member, no conversation named, or not JSON: destNotFound (the SDK rejects on it)', async () => {
    const bob = await peer('bob');
    await expect(bob.send('demo', 'let me in')).resolves.toEqual({ reason: 'destNotFound', cSeq: 1 });
    await expect(bob.send('', 'nowhere')).resolves.toMatchObject({ reason: 'destNotFound' });
    await expect(bob.socket.timeout(5_000).emitWithAck('groupChatMessage', 'not json')).resolves.toEqual({ reason: 'destNotFound' });
    expect(env.cloud.conversations).toEqual([]);
  });

  test('a message without an ack callback is still delivered', async () => {
    const [bob, carol] = [await peer('bob'), await peer('carol')];
    await bob.join('demo');
    await carol.join('demo');
    const atCarol = nextMessage(carol.socket, (message) => message.type === 'groupChatMessage');
    bob.socket.emit('groupChatMessage', JSON.stringify({ type: 'groupChatMessage', groupChatId: 'demo', cSeq: 9, data: 'fire and forget' }));
    expect((await atCarol).data).toBe('fire and forget');
  });
});

describe('the socket: one-to-one IM', () => {
  test('IMMessage is acked with an IM conversation id and delivered to every socket of the destination', async () => {
    const [bob, carol, carolAgain] = [await peer('bob'), await peer('carol'), await peer('carol')];
    const atCarol = [carol, carolAgain].map((socket) => nextMessage(socket.socket, (message) => message.type === 'IMMessage'));
    const ack = await bob.sendIm('carol', 'psst', { senderId: 'mallory', photoURL: 'https://example.test/bob.png' });
    expect(ack).toEqual({ reason: 'ack', cSeq: 1, UUCSeq: 1, convId: expect.any(Number) });
    for (const received of await Promise.all(atCarol)) {
      expect(received).toEqual({ type: 'IMMessage', IMId: ack.convId, senderId: 'bob', nickname: 'bob', photoURL: 'https://example.test/bob.png', data: 'psst', UUCSeq: 1 });
    }
    // The pair keeps its IM conversation id, whichever side writes.
    expect(await carol.sendIm('bob', 'yes?')).toMatchObject({ convId: ack.convId, UUCSeq: 2 });
  });

  test('to a user who is not connected, of another apiKey, to oneself, or not JSON: destNotFound', async () => {
    const bob = await peer('bob');
    await peer('olga', OTHER_API_KEY);
    for (const to of ['nobody', 'olga', 'bob', '']) await expect(bob.sendIm(to, 'hello?')).resolves.toMatchObject({ reason: 'destNotFound' });
    await expect(bob.socket.timeout(5_000).emitWithAck('IMMessage', 'not json')).resolves.toEqual({ reason: 'destNotFound' });
  });
});
