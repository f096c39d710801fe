import type ApiRtcNamespace from '@apirtc/apirtc';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { useEffect, useMemo, useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { AuthProvider, useApiRtcSession } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { SessionPanel } from './components/SessionPanel.js';
import { expectStatus, REGISTER_TIMEOUT_MS, shownSessionId } from './support/play.js';
import { requireServices } from './support/services.js';

type Conversation = ApiRtcNamespace.Conversation;

const ROOM = 'demo';

type Step = { kind: 'idle' } | { kind: 'busy'; what: string } | { kind: 'joined' } | { kind: 'failed'; what: string; message: string };

function describeError(error: unknown): string {
  const inner = (error as { error?: unknown } | null)?.error;
  if (inner instanceof Error) return inner.message;
  return error instanceof Error ? error.message : String(error);
}

function ConversationPanel() {
  const session = useApiRtcSession((s) => s.session);
  // The SDK's conversation object for the name (page-wide: the same object for every session of this page).
  const conversation = useMemo<Conversation | undefined>(() => session?.getOrCreateConversation(ROOM), [session]);
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [acks, setAcks] = useState<string[]>([]);
  const [members, setMembers] = useState<string[]>([]);

  useEffect(() => {
    const current = conversation;
    if (!current) return;
    const update = () => setMembers(Object.keys(current.getContacts()).sort());
    current.on('contactJoined', update).on('contactLeft', update);
    return () => {
      current.removeListener('contactJoined', update).removeListener('contactLeft', update);
      // The SDK keeps a joined conversation joined page-wide, even after unregister(): leave it with the demo.
      if (current.isJoined()) void current.leave().catch(() => undefined);
    };
  }, [conversation]);

  const run = async (what: string, work: () => Promise<void>) => {
    setStep({ kind: 'busy', what });
    try {
      await work();
      setStep({ kind: 'joined' });
    } catch (error) {
      setStep({ kind: 'failed', what, message: describeError(error) });
    }
  };
  const join = () => run('join()', async () => void (await conversation?.join()));
  const send = () =>
    run('sendMessage()', async () => {
      const seq = await conversation?.sendMessage(`hello from ${session?.getId() ?? '?'}`);
      setAcks((list) => [...list, String(seq)]);
    });

  return (
    <section className="panel" aria-label="conversation">
      <h3>
        <code>session.getOrCreateConversation(&apos;{ROOM}&apos;)</code>
      </h3>
      <p>
        <button type="button" onClick={() => void join()} disabled={!conversation || step.kind !== 'idle'}>
          join()
        </button>{' '}
        <button type="button" onClick={() => void send()} disabled={step.kind !== 'joined'}>
          sendMessage()
        </button>
      </p>
      <dl className="fields">
        <dt>conversation</dt>
        <dd data-testid="conversation-state">
          {step.kind === 'busy' ? `${step.what}…` : step.kind === 'failed' ? `${step.what} failed: ${step.message}` : step.kind}
        </dd>
        <dt>active conversations</dt>
        <dd data-testid="active-conversations">{session && step.kind !== 'idle' ? Object.keys(session.getActiveConversations()).join(', ') || '—' : '—'}</dd>
        <dt>other members</dt>
        <dd data-testid="members">{members.join(', ') || '—'}</dd>
        <dt>acked messages</dt>
        <dd data-testid="acks">{acks.length > 0 ? acks.map((seq) => `#${seq}`).join(' ') : '—'}</dd>
      </dl>
    </section>
  );
}

function ConversationDemo() {
  const { cloudUrl, apiKey } = requireServices();
  return (
    <Demo
      title="A conversation (signalling only)"
      intro={
        <p>
          The local cloud answers what the SDK needs to join a conversation and send it instant messages: the REST calls
          of <code>conversation.join()</code> (the conversation, the access check), the room&apos;s answer on the socket,
          the members (the conversation&apos;s presence group) and each message&apos;s acknowledgement. No media: no
          streams, no calls, no MCU. Open this demo in two tabs to see the other tab as a member.
        </p>
      }
    >
      <AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl}>
        <div className="demo-columns">
          <SessionPanel />
          <ConversationPanel />
        </div>
      </AuthProvider>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Conversation',
  component: ConversationDemo,
} satisfies Meta<typeof ConversationDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

interface CloudConversationRecord {
  action: string;
  conversation: string;
  channelId: string;
}

/** The local cloud's record of conversations (its control route answers pages served from this machine). */
async function cloudConversations(cloudUrl: string): Promise<CloudConversationRecord[]> {
  const response = await fetch(`${cloudUrl}/_cloud/state`);
  return ((await response.json()) as { conversations: CloudConversationRecord[] }).conversations;
}

/** In Chromium, with the real SDK: join() resolves, the session lists the conversation, sendMessage() is acked. */
export const JoinAndSend: Story = {
  play: async ({ canvasElement }) => {
    const { cloudUrl } = requireServices();
    const canvas = within(canvasElement);
    await expectStatus(canvas, 'registered');
    const sessionId = shownSessionId(canvas);
    await waitFor(() => expect(canvas.getByRole('button', { name: 'join()' })).toBeEnabled(), { timeout: REGISTER_TIMEOUT_MS });
    await userEvent.click(canvas.getByRole('button', { name: 'join()' }));
    await waitFor(() => expect(canvas.getByTestId('conversation-state')).toHaveTextContent(/^joined$/), { timeout: REGISTER_TIMEOUT_MS });
    await expect(canvas.getByTestId('active-conversations')).toHaveTextContent(ROOM);

    await userEvent.click(canvas.getByRole('button', { name: 'sendMessage()' }));
    await waitFor(() => expect(canvas.getByTestId('acks')).toHaveTextContent(/^#\d+$/), { timeout: REGISTER_TIMEOUT_MS });
    await expect(canvas.getByTestId('conversation-state')).toHaveTextContent(/^joined$/);

    // The cloud saw this session join the conversation and send it a message.
    const records = (await cloudConversations(cloudUrl)).filter((record) => record.conversation === ROOM && record.channelId === sessionId);
    await expect(records.map((record) => record.action)).toEqual(expect.arrayContaining(['join', 'message']));
  },
};
