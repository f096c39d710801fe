/**
 * The engine's behaviour, in one pure function: `transition(phase, input, context) -> { phase, effects }`.
 * No I/O, no timers, no promises here: the runner carries the effects out and feeds the results back as inputs.
 *
 *                 register / start                       registered
 *   ┌──────┐  ─────────────────────────▶  ┌─────────┐  ──────────────▶  ┌──────┐
 *   │ idle │                              │ attempt │                   │ live │ ◀─┐ socket up/down,
 *   └──────┘  ◀── unregister (any) ─────  └─────────┘  ◀── renewal ───  └──────┘ ──┘ deferral, kept session
 *                                          │   ▲    ▲       (due, renew(),            │
 *              failed, may pass            │   │    │        new literal token)       │ watchdog due,
 *                          ┌───────────────┘   │    └──────── new configuration ──────┤ refused reconnect
 *                          ▼                   │ due / online                         │
 *                     ┌─────────┐  ────────────┘                                      │
 *                     │ backoff │                  failed for good, no session        │
 *                     └─────────┘                 ┌────────┐                          │
 *                                                 │ halted │ ◀── (attempt) ───────────┘
 *                                                 └────────┘  register / start / new configuration -> attempt
 *
 * What happens when the socket drops during a renewal? The renewal is an `attempt` with `kept` = the old
 * session: the drop only marks it disconnected (`socket`, below). If the renewal succeeds, the new session is
 * live and connected; if it fails before ending the old one, the old one is kept (`live` with `error`) and,
 * being disconnected, the watchdog is armed: the SDK gets `reconnectTimeoutMs` to bring it back.
 */
import { literalToken, type TokenReason } from '../auth.js';
import { backoffDelay } from '../backoff.js';
import { aborted, type ApiRtcAuthError } from '../errors.js';
import { hardDeadline, planRenewal } from '../renewal.js';
import { handlesOf, NO_RETRIES, type Context, type Effect, type Input, type Live, type Phase, type Retries, type Step } from './phase.js';

/** How often a deferred renewal looks again at the session's conversations. */
export const DEFERRAL_CHECK_MS = 5_000;
const DEFAULT_RECONNECT_TIMEOUT_MS = 20_000;

type Of<K extends Phase['kind']> = Extract<Phase, { kind: K }>;

const stay = (phase: Phase, ...effects: Effect[]): Step => ({ phase, effects });
const emit = (event: Extract<Effect, { type: 'emit' }>['event']): Effect => ({ type: 'emit', event });

export function transition(phase: Phase, input: Input, context: Context): Step {
  switch (input.type) {
    case 'start':
      // Already on it (an attempt, a session, a retry)? Only a halt goes again.
      return phase.kind === 'idle' || phase.kind === 'halted' ? begin(phase, context, 'initial') : stay(phase);
    case 'register':
      if (phase.kind === 'live') return stay(phase, { type: 'resolve-kept', session: phase.live.session });
      // A register() during an attempt waits for it (during a renewal, it may settle with the kept session).
      return phase.kind === 'attempt' ? stay(phase) : begin(phase, context, 'initial');
    case 'renew':
      if (phase.kind === 'attempt') return stay(phase);
      return phase.kind === 'live' ? renewal(phase, context) : begin(phase, context, 'initial');
    case 'unregister':
      return { phase: { kind: 'idle' }, effects: [...leave(phase, input.why), { type: 'reject', error: aborted(input.why) }] };
    case 'config':
      if (phase.kind === 'idle') return stay(phase);
      // A new literal token alone renews on the same UserAgent, as long as there is a session to renew.
      if (input.change === 'token' && phase.kind === 'live') return renewal(phase, context);
      if (input.change === 'token' && phase.kind === 'attempt' && phase.kept) {
        return attempt({ ...phase, reason: 'renew' }, context, [{ type: 'abort', why: 'a new token' }]);
      }
      return restart(phase, context, 'initial', 'the configuration changed');
    case 'ended':
      return phase.kind === 'attempt' && phase.kept ? stay({ ...phase, kept: undefined, handle: phase.kept.handle }) : stay(phase);
    case 'took':
      return phase.kind === 'attempt' ? stay({ ...phase, handle: input.handle }) : stay(phase);
    case 'registered':
      return phase.kind === 'attempt' ? registered(input, context) : stay(phase);
    case 'failed':
      return phase.kind === 'attempt' ? failed(phase, input.error, context) : stay(phase);
    case 'due':
      if (input.timer === 'watchdog') return phase.kind === 'live' ? watchdogDue(phase, context) : stay(phase);
      if (phase.kind === 'backoff') return retryDue(phase, context);
      return phase.kind === 'live' ? liveDue(phase, input.conversations, context) : stay(phase);
    case 'socket':
      return socket(phase, input, context);
  }
}

/** Leaving a phase for good: the attempt in flight is aborted and every UserAgent held is released. */
function leave(phase: Phase, why: string): Effect[] {
  const effects: Effect[] = phase.kind === 'attempt' ? [{ type: 'abort', why }] : [];
  for (const handle of handlesOf(phase)) effects.push({ type: 'release', handle, why });
  return effects;
}

/** A new attempt of `reason` from `phase`. */
function begin(phase: Of<'idle' | 'halted' | 'backoff'>, context: Context, reason: TokenReason): Step {
  // A new try after a failure that won't pass starts afresh; a retry (backoff) keeps counting.
  const retries = phase.kind === 'backoff' ? phase.retries : NO_RETRIES;
  const error = phase.kind === 'idle' ? undefined : phase.error;
  return attempt({ reason, renewing: false, retries, error, kept: undefined }, context, []);
}

type AttemptFields = Omit<Of<'attempt'>, 'kind' | 'id' | 'handle'>;

/** A new attempt: it reuses `kept`'s UserAgent (a renewal) or makes its own, and reports it with `took`. */
function attempt(fields: AttemptFields, context: Context, before: Effect[]): Step {
  const id = context.nextId;
  return {
    phase: { ...fields, kind: 'attempt', id, renewing: fields.renewing || fields.kept !== undefined, handle: undefined },
    effects: [...before, { type: 'attempt', id, reason: fields.reason, reuse: fields.kept?.handle }],
  };
}

/** Fresh token, `ua.unregister()`, `register()` on the same UserAgent; the session is kept until it ends. */
function renewal(phase: Of<'live'>, context: Context): Step {
  return attempt({ reason: 'renew', renewing: true, retries: phase.retries, error: phase.error, kept: phase.live }, context, []);
}

/** Drop every UserAgent and register afresh on a new one (new configuration, the SDK won't bring the session back). */
function restart(phase: Phase, context: Context, reason: TokenReason, why: string): Step {
  const current = phase.kind === 'attempt' || phase.kind === 'live' || phase.kind === 'backoff' ? phase.retries : NO_RETRIES;
  // A new configuration starts afresh; after a refused reconnect (or an expired token's), this is the one fresh token.
  const retries: Retries = reason === 'initial' ? NO_RETRIES : reason === 'refused' || reason === 'expired' ? { ...current, refused: true } : current;
  return attempt({ reason, renewing: false, retries, error: undefined, kept: undefined }, context, leave(phase, why));
}

function registered(input: Extract<Input, { type: 'registered' }>, context: Context): Step {
  const { options, now } = context;
  const { auth } = options;
  const { expiresAt, session } = input;
  // A literal token cannot be replaced by us: it is not renewed on a timer.
  const renewable = expiresAt !== undefined && auth.mode === 'jwt' && literalToken(auth) === undefined;
  const policy = options.renewal ?? {};
  const renewAt = renewable ? planRenewal(policy, expiresAt, now, context.random) : undefined;
  const deadline = renewable ? hardDeadline(policy, expiresAt, expiresAt - now) : undefined;
  const live: Live = { handle: input.handle, session, expiresAt, connected: true };
  const effects: Effect[] = [emit({ type: 'registered', mode: auth.mode, sessionId: session.getId() }), { type: 'resolve', session }];
  if (renewAt !== undefined && expiresAt !== undefined) {
    effects.push(emit({ type: 'renewal-scheduled', renewAt, expiresAt }), { type: 'at', timer: 'next', at: renewAt });
  }
  return { phase: { kind: 'live', live, retries: NO_RETRIES, error: undefined, renewAt, deadline, watch: undefined }, effects };
}

function failed(phase: Of<'attempt'>, error: ApiRtcAuthError, context: Context): Step {
  const { auth } = context.options;
  const effects: Effect[] = [emit({ type: 'error', error })];
  // A refused token may be a stale one: fetch a fresh token once before giving up.
  if (error.code === 'UNAUTHORIZED' && auth.mode === 'jwt' && literalToken(auth) === undefined && !phase.retries.refused) {
    return attempt({ ...phase, reason: 'refused', retries: { ...phase.retries, refused: true } }, context, effects);
  }
  // A renewal that failed before ending the old session keeps it: usable until it expires, its socket watched.
  const { kept } = phase;
  if (kept) {
    effects.push({ type: 'resolve-kept', session: kept.session });
    if (!kept.connected) effects.push({ type: 'after', timer: 'watchdog', ms: reconnectTimeout(context) });
  }
  if (!error.retryable) {
    effects.push({ type: 'reject', error });
    if (!kept) return { phase: { kind: 'halted', error }, effects };
    return { phase: { kind: 'live', live: kept, retries: phase.retries, error, renewAt: undefined, deadline: undefined, watch: kept.connected ? undefined : 'retry' }, effects };
  }
  const retries = { ...phase.retries, failures: phase.retries.failures + 1 };
  const at = context.now + backoffDelay(retries.failures, context.options.retry, context.random);
  // Offline, with a window to say when it is back: don't burn attempts, go again on `online`.
  const retryAt = context.offline ? undefined : at;
  effects.push(emit({ type: 'retry-scheduled', attempt: retries.failures, retryAt, error }), retryAt === undefined ? { type: 'when-online', timer: 'next' } : { type: 'at', timer: 'next', at });
  if (!kept) return { phase: { kind: 'backoff', retries, error, retryAt }, effects };
  return { phase: { kind: 'live', live: kept, retries, error, renewAt: retryAt, deadline: undefined, watch: kept.connected ? undefined : 'retry' }, effects };
}

/** The retry of a failure without a session. Gone offline while waiting: wait for `online` instead. */
function retryDue(phase: Of<'backoff'>, context: Context): Step {
  if (context.offline) return stay({ ...phase, retryAt: undefined }, { type: 'when-online', timer: 'next' });
  return attempt({ reason: 'retry', renewing: false, retries: phase.retries, error: phase.error, kept: undefined }, context, []);
}

/** The live session's next timer: the retry of a failed renewal, or the renewal (deferred while in a call). */
function liveDue(phase: Of<'live'>, conversations: number, context: Context): Step {
  const { now } = context;
  if (phase.error) {
    if (context.offline) return stay({ ...phase, renewAt: undefined }, { type: 'when-online', timer: 'next' });
    return renewal(phase, context);
  }
  if (conversations > 0 && phase.deadline !== undefined && now < phase.deadline && context.options.renewal?.deferWhileInConversation) {
    const until = Math.min(now + DEFERRAL_CHECK_MS, phase.deadline);
    return stay({ ...phase, renewAt: until }, emit({ type: 'renewal-deferred', until, conversations }), { type: 'at', timer: 'next', at: until });
  }
  return renewal(phase, context);
}

/** The SDK did not reconnect in time. Offline, it can't: wait on. */
function watchdogDue(phase: Of<'live'>, context: Context): Step {
  if (context.offline) return stay(phase, { type: 'after', timer: 'watchdog', ms: reconnectTimeout(context) });
  return restart(phase, context, phase.watch ?? 'retry', 'the socket did not reconnect');
}

function socket(phase: Phase, { status, gaveUp }: Extract<Input, { type: 'socket' }>, context: Context): Step {
  const down = status === 'disconnected' || status === 'retry' || status === 'error';
  const connected = down ? false : status === 'connected' ? true : undefined;
  const event = emit({ type: 'connection', status });
  // A renewal in flight: its old session's socket is only noted (the renewal replaces it either way).
  if (phase.kind === 'attempt') {
    const { kept } = phase;
    if (!kept) return stay(phase);
    return stay(connected === undefined ? phase : { ...phase, kept: { ...kept, connected } }, event);
  }
  if (phase.kind !== 'live') return stay(phase);
  if (connected === undefined) return stay(phase, event);
  const live = { ...phase.live, connected };
  if (connected) return stay({ ...phase, live, watch: undefined }, event, { type: 'disarm', timer: 'watchdog' });
  // 'error' follows a refused reconnect (the SDK then gives up for good, whatever the refusal said) but also a
  // mere transport error (it then retries). Refused, or with a token that has expired (it can only be refused):
  // recover at once, with a fresh token on a new UserAgent.
  const { expiresAt } = phase.live;
  const expired = expiresAt !== undefined && context.now >= expiresAt;
  if (status === 'error' && (gaveUp || expired)) {
    // Said as it happened: a token that expired while the socket was down (the page slept, or froze) is no refusal.
    const next = expired
      ? restart(phase, context, 'expired', 'the token expired while the socket was down (a sleep, a frozen page)')
      : restart(phase, context, 'refused', 'the cloud refused the reconnect');
    return { phase: next.phase, effects: [event, ...next.effects] };
  }
  // Otherwise wait for the SDK: a network drop keeps sending 'retry'; a kick or a refusal sends nothing more.
  return stay({ ...phase, live, watch: status === 'error' ? 'refused' : 'retry' }, event, { type: 'after', timer: 'watchdog', ms: reconnectTimeout(context) });
}

function reconnectTimeout(context: Context): number {
  return context.options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
}
