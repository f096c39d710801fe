import type ApiRtcNamespace from '@apirtc/apirtc';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { AuthProvider, useApiRtcSession, type GetToken, type SessionEvent } from '../../src/index.js';
import { useConversationMembers } from '../support/conversation.js';
import { errorMessage, postJson } from '../support/http.js';
import type { UserFrameConfig } from './frame-config.js';
import { PresenceRecord } from './presence-record.js';

/** Signs in `userId` through the demo server, which holds the secret. */
function demoTokenSource(tokenApiUrl: string, userId: string, expiresIn: number): GetToken {
  return async ({ signal }) => (await postJson<{ token: string }>(tokenApiUrl, { userId, expiresIn }, signal)).token;
}

type Conversation = ApiRtcNamespace.Conversation;

/** The conversation both users may join: its state on this page, and who else is in it. */
function ConversationPanel({ name }: { name: string }) {
  const session = useApiRtcSession((s) => s.session);
  // Page-wide in the SDK: the same object for every session of this page, kept while a renewal has no session.
  const [conversation, setConversation] = useState<Conversation | undefined>();
  const current = session?.getOrCreateConversation(name);
  if (current && current !== conversation) setConversation(current);
  const [state, setState] = useState('not joined');
  const members = useConversationMembers(conversation);

  const wanted = useRef(false);
  const join = useCallback(
    (joined = 'joined') => {
      wanted.current = true;
      setState('joining');
      conversation?.join().then(
        () => setState(joined),
        (error: unknown) => setState(`join() failed: ${errorMessage(error)}`),
      );
    },
    [conversation],
  );

  // After a renewal the engine leaves the conversations the SDK kept from the old session (the cloud dropped them
  // with its socket; the conversation says 'left', the engine `conversations-left`): still wanted, join again.
  useEffect(() => {
    if (!conversation) return;
    const rejoin = () => {
      if (wanted.current) join('joined again, after the renewal');
    };
    conversation.on('left', rejoin);
    return () => void conversation.removeListener('left', rejoin);
  }, [conversation, join]);
  return (
    <>
      <h3>
        conversation <code>{name}</code>
      </h3>
      <dl className="fields">
        <dt>state</dt>
        <dd data-testid="conversation-state">{state}</dd>
        <dt>other members</dt>
        <dd data-testid="members">{members.join(', ') || '—'}</dd>
      </dl>
      <div className="actions">
        <button type="button" onClick={() => join()} disabled={!conversation || state === 'joining' || state.startsWith('joined')}>
          join
        </button>
      </div>
    </>
  );
}

function UserPanel({ config, record, renewals }: { config: UserFrameConfig; record: PresenceRecord; renewals: readonly string[] }) {
  const registrations = renewals.filter((entry) => entry === 'registered').length;
  const { status, session, error, renew } = useApiRtcSession();
  const [renewError, setRenewError] = useState<string | null>(null);
  const presence = useSyncExternalStore(record.subscribe, record.getSnapshot);

  useEffect(() => {
    // No cleanup: StrictMode's cleanup and rerun would drop the updates the SDK hands its first listener only
    // (presence-record.ts); following the next session detaches from this one.
    record.follow(session);
  }, [record, session]);

  return (
    <section className="panel" aria-label={`${config.userId}'s page`}>
      <h3>
        {config.userId}&apos;s page: its own window, its own SDK
      </h3>
      <dl className="fields">
        <dt>status</dt>
        <dd data-testid="status">{status}</dd>
        <dt>session</dt>
        <dd data-testid="session-id">{session?.getId() ?? '—'}</dd>
        <dt>registrations</dt>
        <dd data-testid="registrations">{registrations}</dd>
        <dt>contacts online</dt>
        <dd data-testid="contacts">{presence.online.length > 0 ? presence.online.join(', ') : '—'}</dd>
      </dl>
      {error ? (
        <p role="alert" data-testid="error">
          {error.code}: {error.message}
        </p>
      ) : null}
      {config.canRenew ? (
        <div className="actions">
          <button
            type="button"
            disabled={status !== 'registered'}
            onClick={() => {
              setRenewError(null);
              renew().catch((error: unknown) => setRenewError(errorMessage(error)));
            }}
          >
            renew
          </button>
        </div>
      ) : null}
      {renewError ? <p role="alert">{renewError}</p> : null}
      {config.conversation ? <ConversationPanel name={config.conversation} /> : null}
      {config.renewal ? (
        <>
          <h3>renewal: registrations and deferrals, in order</h3>
          <ol data-testid="renewal-log" className="note">
            {renewals.map((entry, index) => (
              <li key={index}>{entry}</li>
            ))}
          </ol>
        </>
      ) : null}
      <h3>presence changes, as the SDK reported them</h3>
      <ol data-testid="presence-log" className="note">
        {presence.changes.map((change) => (
          <li key={change.seq} data-presence={change.presence} data-user={change.userId}>
            {change.userId} {change.presence}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** One user's whole page: registered with a JWT from the demo server, in the demo's presence group. */
export function UserPage({ config }: { config: UserFrameConfig }) {
  const { userId, apiKey, cloudUrl, tokenApiUrl, tokenLifetimeSeconds, group, contactDisconnectionDelay, renewal } = config;
  const [getToken] = useState(() => demoTokenSource(tokenApiUrl, userId, tokenLifetimeSeconds));
  const [record] = useState(() => new PresenceRecord(group));
  const [renewals, setRenewals] = useState<string[]>([]);
  const onEvent = (event: SessionEvent) => {
    if (event.type === 'registered') setRenewals((log) => [...log, 'registered']);
    if (event.type === 'renewal-deferred') setRenewals((log) => [...log, `deferred (${event.conversations} conversation${event.conversations === 1 ? '' : 's'})`]);
    if (event.type === 'conversations-left') setRenewals((log) => [...log, `left ${event.names.join(', ')}`]);
  };
  return (
    <div className="demo">
      <AuthProvider
        auth={{ mode: 'jwt', apiKey, userId, getToken }}
        cloudUrl={cloudUrl}
        registerOptions={{ groups: [group], subscribeTo: [group], contactDisconnectionDelay, userData: { nickname: userId } }}
        renewal={renewal ?? undefined}
        onEvent={onEvent}
      >
        <UserPanel config={config} record={record} renewals={renewals} />
      </AuthProvider>
    </div>
  );
}
