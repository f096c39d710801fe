import { decodeJwt } from 'jose';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import { Presence, type UpdatePresenceMessage } from '../../src/cloud/presence.js';
import { connectOk, messagesOf, nextMessage } from '../support/ccs-client.js';
import { TEST_API_KEY, setupLocalCloud, waitForNoSessions } from '../support/cloud.js';

const env = setupLocalCloud();
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await waitForNoSessions(env.cloud);
});

async function user(channelId: string, groups = '["default"]'): Promise<Socket> {
  const socket = await connectOk(env.cloud, { channelId, apiKey: TEST_API_KEY, presenceGroup: groups, subscribeToPresenceGroup: groups, userData: '{"nickname":"N"}' });
  sockets.push(socket);
  return socket;
}

const presenceOf = (socket: Socket) => messagesOf(socket).filter((message) => message.type === 'updatePresence');

describe('the sessionId message and JWTTokenRefreshRequest', () => {
  test('every connection gets a sessionId message with a cloud-issued token; a refresh request gets a new one', async () => {
    const socket = await user('111111');
    const greeting = await nextMessage(socket, (message) => message.type === 'sessionId');
    expect(greeting.sessionId).toBe(env.cloud.sessions()[0]?.sessionId);
    const first = String(greeting.JWTApzToken);
    expect(decodeJwt(first)).toMatchObject({ sub: '111111', apiKey: TEST_API_KEY, aud: 'apiRTC-cloud-session' });

    socket.emit('JWTTokenRefreshRequest', JSON.stringify({ type: 'JWTTokenRefreshRequest' }));
    const answer = await nextMessage(socket, (message) => message.type === 'JWTTokenRefreshAnswer');
    expect(answer.JWTApzToken).not.toBe(first);
    expect(decodeJwt(String(answer.JWTApzToken))).toMatchObject({ sub: '111111', sessionId: greeting.sessionId });
  });
});

describe('presence over the socket', () => {
  test('join/leave/subscribe through presenceGroupManagement, and setUserData, reach the subscribers', async () => {
    const watcher = await user('watcher', '["room"]');
    const other = await user('other', '[]');
    other.emit('presenceGroupManagement', JSON.stringify({ type: 'presenceGroupManagement', command: 'join', group: ['room'] }));
    await nextMessage(watcher, (message) => message.state === 'online' && (message.connectedUsersList as string[]).includes('other'));
    other.emit('setUserData', JSON.stringify({ type: 'setUserData', userData: { status: 'busy' } }));
    const update = await nextMessage(watcher, (message) => JSON.stringify(message).includes('busy'));
    expect(update).toMatchObject({ connectedUsersListWithStatus: [{ userId: 'other', userData: { nickname: 'N', status: 'busy' } }] });
    other.emit('presenceGroupManagement', JSON.stringify({ type: 'presenceGroupManagement', command: 'leave', group: ['room'] }));
    const left = await nextMessage(watcher, (message) => message.state === 'offline');
    expect(left).toEqual({ type: 'updatePresence', group: 'room', state: 'offline', connectedUsersList: ['other'], connectedUsersListWithStatus: [{ userId: 'other' }] });
  });

  test('a user with two sockets (overlapping registrations) stays online until the last one closes', async () => {
    const watcher = await user('watcher');
    const first = await user('alice');
    const second = await user('alice');
    first.close();
    await env.cloud.waitFor('disconnect', (record) => record.channelId === 'alice');
    second.close();
    await nextMessage(watcher, (message) => message.state === 'offline');
    expect(presenceOf(watcher).map((message) => [message.state, message.connectedUsersList])).toEqual([
      ['online', ['alice']],
      ['offline', ['alice']],
    ]);
  });
});

describe('Presence (unit)', () => {
  test('subscribing lists who is online, itself left out; groups are per apiKey', () => {
    const sent: [string, UpdatePresenceMessage][] = [];
    const presence = new Presence((socketId, message) => sent.push([socketId, message]));
    presence.add({ socketId: 'a', apiKey: 'k', userId: 'alice', userData: {} });
    presence.add({ socketId: 'b', apiKey: 'k', userId: 'bob', userData: { n: 1 } });
    presence.add({ socketId: 'm', apiKey: 'other', userId: 'mallory', userData: {} });
    presence.join('b', ['default']);
    presence.join('m', ['default']);
    presence.join('a', ['default']);
    presence.subscribe('a', ['default']);
    expect(sent).toEqual([['a', { type: 'updatePresence', group: 'default', state: 'online', connectedUsersList: ['bob'], connectedUsersListWithStatus: [{ userId: 'bob', userData: { n: 1 } }] }]]);
    expect(presence.usersIn('k', 'default').sort()).toEqual(['alice', 'bob']);
    presence.remove('b');
    expect(sent.at(-1)).toEqual(['a', expect.objectContaining({ state: 'offline', connectedUsersList: ['bob'] })]);
    presence.remove('a');
    expect(presence.groupsOf('a')).toEqual([]);
    expect(presence.usersIn('k', 'default')).toEqual([]);
  });
});
