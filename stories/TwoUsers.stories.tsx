import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, waitFor, within } from 'storybook/test';
import { Demo } from './components/Demo.js';
import { userFrameUrl, type UserFrameConfig } from './frames/frame-config.js';
import { REGISTER_TIMEOUT_MS, byTestId, expectEnabled, expectStatus, expectText, listed, until } from './support/play.js';
import { requireServices } from './support/services.js';

/**
 * How long bob's SDK waits before it reports alice offline. The SDK's default, 10 s, hides a renewal
 * (alice is away for a fraction of a second): keep it in an app. Here it is 0, so that the blip shows.
 */
const CONTACT_DISCONNECTION_DELAY_MS = 0;

/** The demo route's longest tokens (10 min): no renewal on a timer while the demo runs. */
const LONG_TOKEN_SECONDS = 600;

const USERS = ['alice', 'bob'] as const;
type User = (typeof USERS)[number];

/** Tokens of the deferral story: renewed 20 s before expiry (no jitter), deferred up to 15 s before it. */
const SHORT_TOKEN_SECONDS = 40;
const DEFERRAL_RENEWAL = { deferWhileInConversation: true, leadMs: 20_000, jitter: 0 };
/** The deferral story's renewal comes about 25 s after alice registers, and her page is slower to load under load. */
const DEFERRAL_TIMEOUT_MS = 60_000;

function TwoUsersDemo({ inConversation = false }: { inConversation?: boolean }) {
  const { cloudUrl, apiKey, demoApiUrl } = requireServices();
  // One presence group per demo: two open demos (or another story's alice) never see each other.
  const [suffix] = useState(() => Math.random().toString(36).slice(2, 10));
  const group = `two-users-${suffix}`;
  const deferring = (userId: User) => inConversation && userId === 'alice';
  const frameFor = (userId: User): UserFrameConfig => ({
    userId,
    apiKey,
    cloudUrl,
    tokenApiUrl: `${demoApiUrl}/user-token`,
    tokenLifetimeSeconds: deferring(userId) ? SHORT_TOKEN_SECONDS : LONG_TOKEN_SECONDS,
    renewal: deferring(userId) ? DEFERRAL_RENEWAL : null,
    conversation: inConversation ? `call-${suffix}` : null,
    group,
    contactDisconnectionDelay: CONTACT_DISCONNECTION_DELAY_MS,
    canRenew: userId === 'alice',
  });
  return (
    <Demo
      title="Two users, each on a page of their own"
      intro={
        <>
          <p>
            alice and bob, each in an <code>&lt;iframe&gt;</code>: a page of its own, with its own window, React and
            ApiRTC SDK (the SDK allows one UserAgent per page). Each registers in JWT mode with{' '}
            <code>&lt;AuthProvider&gt;</code>, in presence group <code>{group}</code>, and lists its contacts from the
            SDK&apos;s <code>contactListUpdate</code> events: each sees the other online.
          </p>
          <p>
            <b>renew</b> re-registers alice with a fresh token (<code>ua.unregister()</code>, then <code>register()</code>):
            bob&apos;s list shows her offline, then online again. That blip shows only because bob registers with{' '}
            <code>contactDisconnectionDelay: {CONTACT_DISCONNECTION_DELAY_MS}</code>; with the SDK&apos;s default (10 s) a
            renewal is invisible to other users, which is what an app wants.
            {inConversation ? null : ' Tokens here last 10 minutes, so that nothing renews on a timer while you watch.'}
          </p>
          {inConversation ? (
            <p>
              <b>In a conversation:</b> alice registers with {SHORT_TOKEN_SECONDS} s tokens and{' '}
              <code>{`renewal={{ deferWhileInConversation: true, leadMs: ${DEFERRAL_RENEWAL.leadMs}, jitter: 0 }}`}</code>; bob&apos;s
              last 10 minutes. Both join a conversation (signalling only). When her renewal is due,{' '}
              {SHORT_TOKEN_SECONDS - DEFERRAL_RENEWAL.leadMs / 1000} s in, she is in the conversation: the engine
              defers it (a re-register would leave it), checking every 5 s, until the hard deadline 15 s before expiry,
              where it renews anyway, in the conversation: a token cannot outlive its expiry. The cloud ends her old
              session and its place in the conversation; her SDK would still say joined (it keeps conversations
              page-wide), so the engine leaves it on the new session and says so (<code>conversations-left</code>),
              and her page joins again: bob sees her leave and come back.
            </p>
          ) : null}
        </>
      }
    >
      <div className="demo-columns">
        {USERS.map((userId) => (
          <iframe
            key={userId}
            title={`${userId}'s page`}
            src={userFrameUrl(frameFor(userId))}
            style={{ width: '100%', height: inConversation ? 520 : 340, border: '1px solid #d0d7de', borderRadius: 8 }}
          />
        ))}
      </div>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Two users',
  component: TwoUsersDemo,
} satisfies Meta<typeof TwoUsersDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

interface UserFrame {
  /** The frame's own window. */
  window: Window & { apiRTC?: unknown };
  /** The frame's page, in its own document. */
  page: HTMLElement;
}

/** The frame of `userId`, once its page has rendered (its first document, about:blank, is replaced as it loads). */
async function userFrame(canvasElement: HTMLElement, userId: User): Promise<UserFrame> {
  const frame = within(canvasElement).getByTitle<HTMLIFrameElement>(`${userId}'s page`);
  const panel = await waitFor(
    () => {
      const found = frame.contentDocument?.querySelector<HTMLElement>(`[aria-label="${userId}'s page"]`);
      if (!found) throw new Error(`${userId}'s frame has not rendered yet: ${frame.contentDocument?.body.textContent ?? ''}`);
      return found;
    },
    { timeout: REGISTER_TIMEOUT_MS },
  );
  const window = frame.contentWindow;
  if (!window) throw new Error(`${userId}'s frame has no window`);
  return { window, page: panel };
}

/**
 * Clicks a button of a frame's page. A plain DOM click, not userEvent: userEvent keeps listeners on the
 * document it acted in, and these throw once the frame is gone (the next story's mount removes it).
 */
async function clickButton(page: HTMLElement, name: string): Promise<void> {
  const button = within(page).getByRole<HTMLButtonElement>('button', { name });
  await expectEnabled(button);
  button.click();
}

/** The presence changes a frame recorded, as `"<user> <online|offline>"`. */
function presenceLog(page: HTMLElement): string[] {
  return listed(page, 'presence-log');
}

/** Waits until the presence changes `page` recorded after `before` are alice going offline, then online. */
async function expectBlip(page: HTMLElement, before: string[]): Promise<void> {
  const since = () => presenceLog(page).slice(before.length);
  await until(() => since().join(', ') === 'alice offline, alice online');
  await expect(since()).toEqual(['alice offline', 'alice online']);
}

/** Both users registered, each listing the other online. */
async function bothOnline(canvasElement: HTMLElement): Promise<Record<User, UserFrame>> {
  const alice = await userFrame(canvasElement, 'alice');
  const bob = await userFrame(canvasElement, 'bob');
  await expectStatus(alice.page, 'registered');
  await expectStatus(bob.page, 'registered');
  await expectText(bob.page, 'contacts', /^alice$/);
  await expectText(alice.page, 'contacts', /^bob$/);
  return { alice, bob };
}

/** Both online, each in the other's contact list, each frame with an SDK of its own. */
export const BothOnline: Story = {
  play: async ({ canvasElement }) => {
    const { alice, bob } = await bothOnline(canvasElement);
    await expect(byTestId(alice.page, 'session-id')).toHaveTextContent(/^alice$/);
    await expect(byTestId(bob.page, 'session-id')).toHaveTextContent(/^bob$/);
    // Two pages, two SDKs: each frame's window loaded its own copy.
    await expect(alice.window).not.toBe(bob.window);
    await expect(alice.window.apiRTC).toBeDefined();
    await expect(bob.window.apiRTC).toBeDefined();
    await expect(alice.window.apiRTC).not.toBe(bob.window.apiRTC);
    await expect(presenceLog(bob.page)).toEqual(['alice online']);
    await expect(presenceLog(alice.page)).toEqual(['bob online']);
  },
};

/** alice renews: bob's list shows her offline, then online again; alice's list never loses bob. */
export const RenewalBlip: Story = {
  play: async ({ canvasElement }) => {
    const { alice, bob } = await bothOnline(canvasElement);
    const before = presenceLog(bob.page);
    await expect(byTestId(alice.page, 'registrations')).toHaveTextContent(/^1$/);

    await clickButton(alice.page, 'renew');
    await expectText(alice.page, 'registrations', /^2$/);
    await expectStatus(alice.page, 'registered');
    await expectBlip(bob.page, before);
    await expect(byTestId(bob.page, 'contacts')).toHaveTextContent(/^alice$/);
    await expect(presenceLog(alice.page)).toEqual(['bob online']);
  },
};

/**
 * Both in a conversation: alice's renewal, due 20 s in, is deferred (her log shows it), then done at the hard
 * deadline while she is still in it; bob sees the blip then, and alice back in the conversation once her page
 * joins it again (the engine left the SDK's stale copy of it).
 */
export const RenewalDeferredInConversation: Story = {
  args: { inConversation: true },
  play: async ({ canvasElement }) => {
    const { alice, bob } = await bothOnline(canvasElement);
    const before = presenceLog(bob.page);
    for (const { page } of [alice, bob]) {
      await clickButton(page, 'join');
      await expectText(page, 'conversation-state', /^joined$/);
    }
    await expectText(alice.page, 'members', /^bob$/);
    await expectText(bob.page, 'members', /^alice$/);

    // Due, but she is in the conversation: deferred, with no new registration.
    await expectText(alice.page, 'renewal-log', /deferred \(1 conversation\)/, DEFERRAL_TIMEOUT_MS);
    await expect(byTestId(alice.page, 'registrations')).toHaveTextContent(/^1$/);
    // The hard deadline: renewed, though still in the conversation.
    await expectText(alice.page, 'registrations', /^2$/, DEFERRAL_TIMEOUT_MS);
    const log = () => listed(alice.page, 'renewal-log').join(', ');
    const renewedInConversation = /^registered(, deferred \(1 conversation\))+, registered, left [\w-]+$/;
    await until(() => renewedInConversation.test(log()));
    await expect(log()).toMatch(renewedInConversation);
    await expectStatus(alice.page, 'registered');
    // What the renewal cost: the cloud ended alice's old session, and with it her place in the conversation. The
    // engine left the SDK's stale copy of it, and her page joined again: bob has her back as a member.
    await expectText(alice.page, 'conversation-state', /^joined again, after the renewal$/);
    await expectText(bob.page, 'members', /^alice$/);
    await expectBlip(bob.page, before);
  },
};
