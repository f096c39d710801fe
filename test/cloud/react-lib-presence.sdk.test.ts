import { usePresence } from '@apirtc/react-lib';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, test } from 'vitest';
import { connectOk } from '../support/ccs-client.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { setupSdkWithCloud } from '../support/sdk-cloud.js';

const env = setupSdkWithCloud();
const peers: Socket[] = [];

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

describe("react-lib's usePresence against the local cloud", { timeout: 20_000 }, () => {
  test('shows another user of the group online, and drops them when they leave', async () => {
    const bob = await connectOk(env.cloud, {
      channelId: 'bob',
      apiKey: TEST_API_KEY,
      token: await env.signToken({ userId: 'bob' }),
      presenceGroup: '["default"]',
      subscribeToPresenceGroup: '["default"]',
    });
    peers.push(bob);
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const session = await ua.register(env.registerOptions({ id: 'alice', token: await env.signToken({ userId: 'alice' }), contactDisconnectionDelay: 50 }));
    const { result, unmount } = renderHook(() => usePresence(session, ['default']));
    const ids = () => [...(result.current.contactsByGroup.get('default') ?? [])].map((contact) => contact.getId());
    await waitFor(() => expect(ids()).toEqual(['bob']));
    act(() => {
      bob.close();
    });
    await waitFor(() => expect(ids()).toEqual([]));
    unmount();
  });
});
