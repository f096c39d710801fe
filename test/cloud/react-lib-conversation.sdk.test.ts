import { useConversation, useConversationContacts, useConversationMessages } from '@apirtc/react-lib';
import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { nextMessage } from '../support/ccs-client.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';
import { ConversationPeer } from './conversation-peer.js';

const env = setupSdkWithCloud();
const peers: ConversationPeer[] = [];

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

describe("react-lib's conversation hooks against the local cloud", { timeout: 20_000 }, () => {
  test('useConversation joins; useConversationContacts lists bob; useConversationMessages sends and receives', async () => {
    const bob = await ConversationPeer.connect(env.cloud, { channelId: 'bob', apiKey: TEST_API_KEY, token: await env.signToken({ userId: 'bob' }) });
    peers.push(bob);
    await bob.join('react-room');
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }) }));
    const { result, unmount } = renderHook(() => {
      const { conversation, joined } = useConversation(session, 'react-room', undefined, true);
      const { contacts } = useConversationContacts(conversation);
      const { messages, sendMessage } = useConversationMessages(conversation);
      return { conversation, joined, contacts, messages, sendMessage };
    });
    await waitFor(() => expect(result.current.joined).toBe(true));
    await waitFor(() => expect(result.current.contacts.map((contact) => contact.getId())).toEqual(['bob']));
    expect(env.cloud.conversationMembers('react-room', TEST_API_KEY).sort()).toEqual(['alice', 'bob']);

    const atBob = nextMessage(bob.socket, (message) => message.type === 'groupChatMessage');
    await act(() => result.current.sendMessage('from the hook', session.getOrCreateContact(session.getId())));
    expect((await atBob).data).toBe('from the hook');
    await act(async () => {
      await bob.send('react-room', 'to the hook');
    });
    await waitFor(() => expect(result.current.messages.map((message) => message.content)).toContain('to the hook'));

    // Unmounting leaves the conversation (react-lib's cleanup), and the cloud sees it.
    const left = env.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'alice');
    unmount();
    await left;
    expect(env.cloud.conversationMembers('react-room', TEST_API_KEY)).toEqual(['bob']);
  });
});
