import type ApiRtcNamespace from '@apirtc/apirtc';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { useEffect, useMemo, useState } from 'react';
import { decodeJwt } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { expect, userEvent, within } from 'storybook/test';
import type { ConversationRecord } from '../src/cloud/index.js';
import { AuthProvider, useApiRtcSession } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { SessionPanel } from './components/SessionPanel.js';
import { expectEnabled, expectStatus, expectText, shownSessionId } from './support/play.js';
import { useConversationMembers } from './support/conversation.js';
import { errorMessage } from './support/http.js';
import { requireServices } from './support/services.js';

type Conversation = ApiRtcNamespace.Conversation;

const ROOM = 'demo';

type Step = { kind: 'idle' } | { kind: 'busy'; what: string } | { kind: 'joined' } | { kind: 'failed'; what: string; message: string };

/** `session.getApzToken()` (in the SDK, not in its type declarations): the cloud's JWT for this session, by subject. */
function apzTokenSubject(session: unknown): string {
  const token = (session as { getApzToken?(): string | null } | undefined)?.getApzToken?.();
  return token ? `a JWT for ${decodeJwt(token).sub ?? '?'}` : '—';
}

function ConversationPanel() {
  const session = useApiRtcSession((s) => s.session);
  // The SDK's conversation object for the name (page-wide: the same object for every session of this page).
  const conversation = useMemo<Conversation | undefined>(() => session?.getOrCreateConversation(ROOM), [session]);
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [acks, setAcks] = useState<string[]>([]);
  const members = useConversationMembers(conversation);

  useEffect(() => {
    const current = conversation;
    // The SDK keeps a joined conversation joined page-wide, even after unregister(): leave it with the demo.
    return () => void (current?.isJoined() && current.leave().catch(() => undefined));
  }, [conversation]);

  const run = async (what: string, work: () => Promise<void>) => {
    setStep({ kind: 'busy', what });
    try {
      await work();
      setStep({ kind: 'joined' });
    } catch (error) {
      setStep({ kind: 'failed', what, message: errorMessage(error) });
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
        <dt>session token from the cloud</dt>
        <dd data-testid="apz-token">{apzTokenSubject(session)}</dd>
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
          streams, no calls, no MCU. A page that joins the same conversation (this demo in another tab) shows up
          under the other members.
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

/** The local cloud's record of conversations (its control route answers pages served from this machine). */
async function cloudConversations(cloudUrl: string): Promise<ConversationRecord[]> {
  const response = await fetch(`${cloudUrl}/_cloud/state`);
  return ((await response.json()) as { conversations: ConversationRecord[] }).conversations;
}

type CcsMessage = { type?: string } & Record<string, unknown>;

/** The next CCS `message` (a JSON string) of a raw socket passing `predicate`. */
function nextCcsMessage(socket: Socket, predicate: (message: CcsMessage) => boolean): Promise<CcsMessage> {
  return new Promise((resolve) => {
    const listener = (json: string) => {
      const message = JSON.parse(json) as CcsMessage;
      if (!predicate(message)) return;
      socket.off('message', listener);
      resolve(message);
    };
    socket.on('message', listener);
  });
}

/**
 * A second member without a second SDK (one per page): a raw socket.io client that joins the conversation as
 * the SDK does on the socket (joinSession, then the conversation's presence group).
 */
async function rawMember(cloudUrl: string, apiKey: string, channelId: string): Promise<Socket> {
  const socket = io(cloudUrl, { query: { channelId, apiKey, presenceGroup: '[]', subscribeToPresenceGroup: '[]' }, forceNew: true, reconnection: false, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  const answered = nextCcsMessage(socket, (message) => message.type === 'joinSessionAnswer');
  socket.emit('joinSession', JSON.stringify({ type: 'joinSession', roomId: ROOM, callerId: channelId, transactionId: `tx-${channelId}`, data: {} }));
  await answered;
  socket.emit('presenceGroupManagement', JSON.stringify({ command: 'join', group: [ROOM] }));
  socket.emit('presenceGroupManagement', JSON.stringify({ command: 'subscribe', group: [ROOM] }));
  return socket;
}

/**
 * In Chromium, with the real SDK: the session holds the cloud's session token, join() resolves, the session lists
 * the conversation, the other member shows, sendMessage() is acked and reaches that member.
 */
export const JoinAndSend: Story = {
  play: async ({ canvasElement }) => {
    const { cloudUrl, apiKey } = requireServices();
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    const sessionId = shownSessionId(canvasElement);
    const bob = await rawMember(cloudUrl, apiKey, 'story-bob');
    try {
      const join = canvas.getByRole<HTMLButtonElement>('button', { name: 'join()' });
      await expectEnabled(join);
      await userEvent.click(join);
      await expectText(canvasElement, 'conversation-state', /^joined$/);
      await expect(canvas.getByTestId('active-conversations')).toHaveTextContent(ROOM);
      // The session token the cloud sent with its sessionId message (which may come just after register()
      // resolved), as the SDK hands it out; the panel has rendered again since the join.
      await expect(canvas.getByTestId('apz-token')).toHaveTextContent(new RegExp(`^a JWT for ${sessionId}$`));
      await expectText(canvasElement, 'members', /^story-bob$/);

      const atBob = nextCcsMessage(bob, (message) => message.type === 'groupChatMessage');
      await userEvent.click(canvas.getByRole('button', { name: 'sendMessage()' }));
      await expectText(canvasElement, 'acks', /^#\d+$/);
      await expect(await atBob).toMatchObject({ groupChatId: ROOM, senderId: sessionId, data: `hello from ${sessionId}` });
      await expect(canvas.getByTestId('conversation-state')).toHaveTextContent(/^joined$/);

      // The cloud saw this session join the conversation and send it a message.
      const records = (await cloudConversations(cloudUrl)).filter((record) => record.conversation === ROOM && record.channelId === sessionId);
      await expect(records.map((record) => record.action)).toEqual(expect.arrayContaining(['join', 'message']));
    } finally {
      bob.close();
    }
  },
};
