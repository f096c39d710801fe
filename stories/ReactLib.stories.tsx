import { setLogLevel, useConversation, usePresence, useUserMediaDevices } from '@apirtc/react-lib';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { AuthProvider, useApiRtcSession } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { SessionPanel } from './components/SessionPanel.js';
import { expectStatus, expectText, hasText, shownSessionId, textOf, until } from './support/play.js';
import { requireServices } from './support/services.js';

// react-lib logs at info level by default.
setLogLevel('warn');

const PRESENCE_GROUPS = ['demo-lobby'];
const ROOM = 'demo-room';

/** Numbers objects in the order they are first seen: shows when a hook hands out a new one. */
const seen = new WeakMap<object, number>();
let count = 0;
function objectNumber(value: object | undefined): string {
  if (!value) return '—';
  if (!seen.has(value)) seen.set(value, ++count);
  return `#${seen.get(value)}`;
}

function ReactLibPanel() {
  // The session from this package, straight into react-lib's hooks.
  const session = useApiRtcSession((s) => s.session);
  const { contactsByGroup } = usePresence(session, PRESENCE_GROUPS);
  // join = false: this demo shows the hand-over; joining is the Conversation and Two users demos'.
  const { conversation, joined } = useConversation(session, ROOM, undefined, false);
  const { userMediaDevices } = useUserMediaDevices(session);
  const contacts = contactsByGroup.get(PRESENCE_GROUPS[0] as string)?.size ?? 0;
  return (
    <section className="panel" aria-label="react-lib">
      <h3>@apirtc/react-lib hooks, given useApiRtcSession().session</h3>
      <dl className="fields">
        <dt>session</dt>
        <dd data-testid="react-lib-session">{session ? `${session.getId()} (object ${objectNumber(session)})` : '—'}</dd>
        <dt>useConversation</dt>
        <dd data-testid="conversation">
          {conversation ? `${conversation.getName()} (object ${objectNumber(conversation)}), joined: ${joined ? 'yes' : 'no'}` : '—'}
        </dd>
        <dt>usePresence</dt>
        <dd data-testid="presence">
          {PRESENCE_GROUPS[0]}: {contacts} contact(s)
        </dd>
        <dt>useUserMediaDevices</dt>
        <dd data-testid="devices">
          {Object.keys(userMediaDevices.audioinput).length} microphone(s), {Object.keys(userMediaDevices.videoinput).length} camera(s),{' '}
          {Object.keys(userMediaDevices.audiooutput).length} speaker(s)
        </dd>
      </dl>
    </section>
  );
}

function ReactLibDemo() {
  const { cloudUrl, apiKey } = requireServices();
  return (
    <Demo
      title="With @apirtc/react-lib"
      intro={
        <>
          <p>
            <code>useApiRtcSession((s) =&gt; s.session)</code> is a real ApiRTC <code>Session</code> (or undefined), what
            react-lib&apos;s hooks take. After <code>renew()</code> it is a new Session: the hooks see the change and create a
            new conversation object for it.
          </p>
          <p>
            <b>What works against the local cloud:</b> handing the session to the hooks, presence (contacts), conversations
            and their messages (signalling only: the Conversation and Two users demos join one), the browser&apos;s media
            devices. <b>What needs the real cloud:</b> calls, published and subscribed streams (the local cloud has no media
            server). Try them in the &quot;Live cloud&quot; demo with your apiKey.
          </p>
        </>
      }
    >
      <AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl} registerOptions={{ groups: PRESENCE_GROUPS }}>
        <div className="demo-columns">
          <SessionPanel />
          <ReactLibPanel />
        </div>
      </AuthProvider>
    </Demo>
  );
}

const meta = {
  title: 'Demos/With react-lib',
  component: ReactLibDemo,
} satisfies Meta<typeof ReactLibDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** react-lib gets the session; after renew() it gets the new one and re-creates the conversation for it. */
export const SessionIntoHooks: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    const id = shownSessionId(canvasElement);
    await expectText(canvasElement, 'react-lib-session', id);
    await expectText(canvasElement, 'conversation', `${ROOM} (object`);
    await expect(canvas.getByTestId('conversation')).toHaveTextContent('joined: no');
    await expect(canvas.getByTestId('presence')).toHaveTextContent('0 contact(s)');
    const conversationBefore = canvas.getByTestId('conversation').textContent;
    const sessionBefore = canvas.getByTestId('react-lib-session').textContent;

    await userEvent.click(canvas.getByRole('button', { name: /^renew\(\)$/ }));
    await until(() => !hasText(textOf(canvasElement, 'react-lib-session'), sessionBefore ?? ''));
    await expect(canvas.getByTestId('react-lib-session')).not.toHaveTextContent(sessionBefore ?? '');
    await expectStatus(canvasElement, 'registered');
    await expectText(canvasElement, 'conversation', `${ROOM} (object`);
    await expect(canvas.getByTestId('conversation')).not.toHaveTextContent(conversationBefore ?? '');
  },
};
