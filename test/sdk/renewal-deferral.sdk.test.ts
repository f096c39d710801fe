/**
 * `renewal.deferWhileInConversation` with the real SDK (jsdom) in a conversation of the local cloud: the engine
 * defers its renewal while `session.getActiveConversations()` is not empty, and renews at the hard deadline, or
 * once the conversation is left. The engine runs on a fake clock (its timers fire when the test moves it), and the
 * cloud's clock moves with it; the SDK and the sockets run on real time and are waited on through their events,
 * never slept on.
 */
import type ApiRtcNamespace from '@apirtc/apirtc';
import { afterEach, describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { HARD_DEADLINE_MS } from '../../src/core/renewal.js';
import { setupLocalCloud, TEST_API_KEY } from '../support/cloud.js';
import { untilState } from '../support/engine.js';
import { FakeClock } from '../support/fake-clock.js';
import { setupSdkEngines } from '../support/sdk-engines.js';

type Conversation = ApiRtcNamespace.Conversation;

const fixture = setupLocalCloud();
const engine = setupSdkEngines(fixture, { registerTimeoutMs: 5_000 });
const joined: Conversation[] = [];

// Runs before the engines are unregistered (hooks run in reverse order): the SDK keeps a joined conversation
// joined page-wide after unregister(), and the next test's session would list it.
afterEach(async () => {
  for (const conversation of joined.splice(0)) if (conversation.isJoined()) await conversation.leave().catch(() => undefined);
});

/** 10 min tokens renewed 1 min early (no jitter); a deferred renewal waits at most until 15 s before expiry. */
const LIFETIME_S = 600;
const LEAD_MS = 60_000;

function setup(name: string, deferWhileInConversation = true) {
  const clock = new FakeClock(Date.now());
  const events: SessionEvent[] = [];
  const subject = engine(
    {
      auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'alice', getToken: () => fixture.signToken({ userId: 'alice', expiresIn: LIFETIME_S }) },
      renewal: { deferWhileInConversation, leadMs: LEAD_MS, jitter: 0 },
      clock,
    },
    events,
  );
  const join = async (): Promise<Conversation> => {
    const session = await subject.register();
    const conversation = session.getOrCreateConversation(name);
    joined.push(conversation);
    await conversation.join();
    return conversation;
  };
  /**
   * Moves the engine's clock to `at` (ms since epoch), firing its timers on the way, and the cloud's clock with
   * it: the tokens of a renewal are then signed, and checked, at the time the engine renews.
   */
  const advanceTo = async (at: number) => {
    const ms = Math.max(0, at - clock.now());
    fixture.cloud.advanceClock(ms);
    await clock.advance(ms);
  };
  const deferrals = () => events.filter((event): event is Extract<SessionEvent, { type: 'renewal-deferred' }> => event.type === 'renewal-deferred');
  return { clock, events, subject, join, advanceTo, deferrals };
}

describe('renewal.deferWhileInConversation with the real SDK', { timeout: 30_000 }, () => {
  test('in a conversation, the renewal is deferred (no new registration), then done at the hard deadline', async () => {
    const { subject, join, advanceTo, deferrals, events } = setup('standup');
    const conv = await join();
    const lefts: string[] = [];
    conv.on('left', () => lefts.push('left'));
    const first = subject.getSnapshot();
    const { renewAt, expiresAt } = first as { renewAt: number; expiresAt: number };
    expect(renewAt).toBe(expiresAt - LEAD_MS);
    expect(fixture.cloud.conversationMembers('standup', TEST_API_KEY)).toEqual(['alice']);

    await advanceTo(renewAt);
    expect(deferrals()).toEqual([expect.objectContaining({ conversations: 1 })]);
    expect(fixture.cloud.registrations).toHaveLength(1);
    expect(subject.getSnapshot().session).toBe(first.session);

    // Every check until the hard deadline defers again; the one at the deadline renews.
    const renewed = fixture.cloud.waitFor('registration', (record) => record.channelId === 'alice');
    await advanceTo(expiresAt - HARD_DEADLINE_MS - 1);
    expect(fixture.cloud.registrations).toHaveLength(1);
    const deferred = deferrals().length;
    expect(deferred).toBeGreaterThan(1);
    expect(deferrals().at(-1)?.until).toBe(expiresAt - HARD_DEADLINE_MS);
    await advanceTo(expiresAt - HARD_DEADLINE_MS);
    expect((await renewed).jti).not.toBe(fixture.cloud.registrations[0]?.jti);
    const state = await untilState(subject, (s) => s.status === 'registered' && s.session !== first.session);
    expect(state.expiresAt).toBeGreaterThan(expiresAt);
    expect(deferrals()).toHaveLength(deferred);
    // The renewal ended the old socket, and with it alice's place in the conversation. The SDK keeps joined
    // conversations page-wide and would list it for the new session: the engine left it, and said so.
    expect(fixture.cloud.conversationMembers('standup', TEST_API_KEY)).toEqual([]);
    expect(events.filter((event) => event.type === 'conversations-left')).toEqual([{ type: 'conversations-left', names: ['standup'] }]);
    expect(Object.keys(state.session?.getActiveConversations() ?? {})).toEqual([]);
    expect(lefts).toEqual(['left']);
    expect(state.session?.getOrCreateConversation('standup')).toBe(conv);
    expect(fixture.cloud.refusals).toEqual([]);

    // So the next renewal is not held back by a conversation the cloud no longer has alice in...
    const again = fixture.cloud.waitFor('registration', (record) => record.channelId === 'alice');
    await advanceTo(state.renewAt as number);
    await again;
    expect(deferrals()).toHaveLength(deferred);
    const third = await untilState(subject, (s) => s.status === 'registered' && s.session !== state.session);

    // ...and the app can join it again on the renewed session.
    const back = third.session?.getOrCreateConversation('standup') as Conversation;
    joined.push(back);
    await back.join();
    expect(fixture.cloud.conversationMembers('standup', TEST_API_KEY)).toEqual(['alice']);
  });

  test('leaving the conversation lifts the deferral: the next check renews', async () => {
    const { subject, join, advanceTo, deferrals } = setup('one-to-one');
    const conversation = await join();
    const first = subject.getSnapshot();
    const { renewAt } = first as { renewAt: number };
    await advanceTo(renewAt);
    expect(deferrals()).toHaveLength(1);
    const until = deferrals()[0]?.until as number;

    const left = fixture.cloud.waitFor('conversation', (record) => record.action === 'leave' && record.channelId === 'alice');
    await conversation.leave();
    await left;
    const renewed = fixture.cloud.waitFor('registration', (record) => record.channelId === 'alice');
    await advanceTo(until);
    await renewed;
    await untilState(subject, (s) => s.status === 'registered' && s.session !== first.session);
    expect(deferrals()).toHaveLength(1);
    expect(fixture.cloud.registrations).toHaveLength(2);
  });

  test('without the option, a conversation does not hold the renewal back', async () => {
    const { subject, join, advanceTo, deferrals } = setup('all-hands', false);
    await join();
    const renewed = fixture.cloud.waitFor('registration', (record) => record.channelId === 'alice');
    await advanceTo(subject.getSnapshot().renewAt as number);
    await renewed;
    expect(deferrals()).toEqual([]);
  });
});
