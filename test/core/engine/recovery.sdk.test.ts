/**
 * Recovery that the SDK's page-wide socket makes hard, with the real @apirtc/apirtc against the local cloud
 * (the SDK facts behind each case: docs/sdk-behaviour.md, confirmed in test/sdk/). Waits on engine state and
 * cloud events; never sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../src/core/events.js';
import { setupSdkEngines } from '../../support/sdk-engines.js';
import { setupLocalCloud, TEST_API_KEY, TEST_LOGIN, TEST_PASSWORD, waitForNoSessions } from '../../support/cloud.js';
import { untilState } from '../../support/engine.js';
import { captureSockets, transportOpen } from '../../sdk/support.js';

const fixture = setupLocalCloud();
const engine = setupSdkEngines(fixture, { registerTimeoutMs: 3_000, retry: { baseDelayMs: 100, maxDelayMs: 400 } });

const anonymous = { mode: 'apiKey' as const, apiKey: TEST_API_KEY };

describe('recovery with the real SDK', { timeout: 30_000 }, () => {
  it('a cloud restart in the middle of the handshake: registered again once the cloud is back, with no ghost session', async () => {
    fixture.cloud.faults.setLatency({ handshake: 300 });
    const sockets = captureSockets();
    try {
      const subject = engine({ auth: anonymous });
      subject.start();
      const { socket } = await sockets.next();
      await transportOpen(socket);
      await fixture.cloud.faults.down();
      await untilState(subject, (state) => state.status === 'retrying');
      fixture.cloud.faults.setLatency(0);
      await fixture.cloud.faults.up();
      const state = await untilState(subject, (s) => s.status === 'registered', 15_000);
      if (state.status !== 'registered') throw new Error('not registered');
      // One session on the cloud, and it is the engine's: the failed handshake's socket did not come back as a ghost.
      expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ channelId: state.session.getId() })]);
      await subject.unregister();
      await waitForNoSessions(fixture.cloud);
    } finally {
      sockets.restore();
    }
  });

  it('30 back-to-back renew() calls: the cloud never holds two sessions of the page', async () => {
    const subject = engine({ auth: anonymous });
    await subject.register();
    let most = 0;
    const onRegistration = () => (most = Math.max(most, fixture.cloud.sessions().length));
    fixture.cloud.on('registration', onRegistration);
    try {
      for (let i = 0; i < 30; i += 1) await subject.renew();
    } finally {
      fixture.cloud.off('registration', onRegistration);
    }
    expect(most).toBe(1);
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('a reconnect refused for a reason that is not the token: a fresh registration at once, not after reconnectTimeoutMs', async () => {
    const events: SessionEvent[] = [];
    const subject = engine({ auth: anonymous, reconnectTimeoutMs: 600_000 }, events);
    await subject.register();
    fixture.cloud.faults.refuse({ message: 'server busy, try again' });
    const refusal = fixture.cloud.waitFor('refusal');
    fixture.cloud.faults.drop();
    await refusal;
    await untilState(subject, (state) => state.status === 'registering' || state.status === 'retrying');
    fixture.cloud.faults.refuse(false);
    await untilState(subject, (state) => state.status === 'registered', 15_000);
    expect(events).toContainEqual({ type: 'user-agent-released', reason: 'the cloud refused the reconnect' });
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('login mode: when the cloud cannot burn the token (invalidateToken fails), unregister() still closes the socket', async () => {
    const subject = engine({ auth: { mode: 'login', login: TEST_LOGIN, password: TEST_PASSWORD } });
    await subject.register();
    fixture.cloud.faults.failRest({ path: '/api/v2/invalidateToken' });
    await subject.unregister();
    await waitForNoSessions(fixture.cloud);
    expect(subject.getSnapshot().status).toBe('idle');
  });

  it('anonymous right after a named session comes up under a new id, not the previous user\'s', async () => {
    const named = engine({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'alice', getToken: () => fixture.signToken({ userId: 'alice' }) } });
    await named.register();
    await named.unregister();
    const session = await engine({ auth: anonymous }).register();
    expect(session.getId()).not.toBe('alice');
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: session.getId() })]);
  });
});
