/**
 * transition() on its own: no SDK, no fake SDK, no timers. Every phase meets every input, and the table below
 * says what comes out (the next phase and the effects, by type). A UserAgent here is a plain object: the
 * function only carries it, it never calls it.
 */
import { describe, expect, it } from 'vitest';
import { ApiRtcAuthError } from '../../../src/core/errors.js';
import { NO_RETRIES, type Context, type Effect, type Input, type Live, type Phase } from '../../../src/core/engine/phase.js';
import { project } from '../../../src/core/engine/project.js';
import { canGoTo, STATUS_GOES_TO } from '../../../src/core/engine/status-table.js';
import { transition } from '../../../src/core/engine/transition.js';
import type { SessionEngineOptions } from '../../../src/core/options.js';
import type { SessionStatus } from '../../../src/core/state.js';
import type { UserAgentHandle } from '../../../src/core/user-agent.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const handle = (name: string) => ({ name, ua: { name } }) as unknown as UserAgentHandle;
const session = (id: string) => ({ getId: () => id });
const OLD = handle('old');
const NEW = handle('new');
const live = (overrides: Partial<Live> = {}): Live => ({ handle: OLD, session: session('s1'), expiresAt: NOW + 60_000, connected: true, ...overrides });
const network = new ApiRtcAuthError('REGISTER_FAILED', 'register() failed: network', { retryable: true });
const final = new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered HTTP 403');
const refused = new ApiRtcAuthError('UNAUTHORIZED', 'the cloud refused the credentials: jwt expired');

const jwt: SessionEngineOptions = { auth: { mode: 'jwt', apiKey: 'k', userId: 'alice', getToken: async () => '' } };

function context(overrides: Partial<Context> = {}): Context {
  return { now: NOW, offline: false, options: jwt, random: () => 0.5, nextId: 7, ...overrides };
}

const attempt = (fields: Partial<Extract<Phase, { kind: 'attempt' }>> = {}): Phase => ({
  kind: 'attempt',
  id: 3,
  reason: 'initial',
  renewing: false,
  retries: NO_RETRIES,
  error: undefined,
  kept: undefined,
  handle: undefined,
  ...fields,
});
const livePhase = (fields: Partial<Extract<Phase, { kind: 'live' }>> = {}): Phase => ({
  kind: 'live',
  live: live(),
  retries: NO_RETRIES,
  error: undefined,
  renewAt: NOW + 45_000,
  deadline: NOW + 45_000,
  watch: undefined,
  ...fields,
});

/** One of each situation the engine can be in. */
const PHASES: Record<string, Phase> = {
  idle: { kind: 'idle' },
  attempt: attempt({ handle: NEW }),
  'renewal, old session kept': attempt({ reason: 'renew', renewing: true, kept: live() }),
  'renewal, old session kept, down': attempt({ reason: 'renew', renewing: true, kept: live({ connected: false }) }),
  'renewal, old session ended': attempt({ reason: 'renew', renewing: true, handle: OLD }),
  live: livePhase(),
  'live, down': livePhase({ live: live({ connected: false }), watch: 'retry' }),
  'live, renewal failed for now': livePhase({ error: network, retries: { failures: 1, refused: false }, renewAt: NOW + 1_000, deadline: undefined }),
  'live, renewal failed for good': livePhase({ error: final, renewAt: undefined, deadline: undefined }),
  backoff: { kind: 'backoff', retries: { failures: 2, refused: false }, error: network, retryAt: NOW + 2_000 },
  'backoff, offline': { kind: 'backoff', retries: { failures: 2, refused: false }, error: network, retryAt: undefined },
  halted: { kind: 'halted', error: final },
};

const INPUTS: Record<string, Input> = {
  start: { type: 'start' },
  register: { type: 'register' },
  renew: { type: 'renew' },
  unregister: { type: 'unregister', why: 'unregister() was called' },
  'new token': { type: 'config', change: 'token' },
  'new config': { type: 'config', change: 'session' },
  ended: { type: 'ended', id: 3 },
  took: { type: 'took', id: 3, handle: NEW },
  registered: { type: 'registered', id: 3, handle: NEW, session: session('s2'), expiresAt: NOW + 60_000 },
  'failed, may pass': { type: 'failed', id: 3, error: network },
  'failed for good': { type: 'failed', id: 3, error: final },
  'failed, token refused': { type: 'failed', id: 3, error: refused },
  'next due': { type: 'due', timer: 'next', conversations: 0 },
  'next due, in a call': { type: 'due', timer: 'next', conversations: 1 },
  'watchdog due': { type: 'due', timer: 'watchdog', conversations: 0 },
  'socket up': { type: 'socket', handle: OLD, status: 'connected', gaveUp: false },
  'socket down': { type: 'socket', handle: OLD, status: 'disconnected', gaveUp: false },
  'socket error': { type: 'socket', handle: OLD, status: 'error', gaveUp: false },
  'socket refused': { type: 'socket', handle: OLD, status: 'error', gaveUp: true },
};

/** A phase, in short: its kind and what tells it apart. */
function label(phase: Phase): string {
  switch (phase.kind) {
    case 'attempt':
      return `attempt#${phase.id}(${phase.reason}${phase.kept ? ', kept' : ''}${phase.renewing && !phase.kept ? ', renewing' : ''}${phase.handle ? `, on ${(phase.handle as unknown as { name: string }).name}` : ''})`;
    case 'live': {
      const parts = [phase.live.connected ? 'up' : 'down', phase.error ? `error ${phase.error.code}` : '', phase.watch ? `watch ${phase.watch}` : ''].filter(Boolean);
      return `live(${parts.join(', ')})`;
    }
    case 'backoff':
      return `backoff(${phase.retryAt === undefined ? 'online' : 'timer'}, failures ${phase.retries.failures})`;
    default:
      return phase.kind;
  }
}

function effectLabel(effect: Effect): string {
  switch (effect.type) {
    case 'emit':
      return `emit ${effect.event.type}`;
    case 'at':
    case 'after':
    case 'when-online':
    case 'disarm':
      return `${effect.type} ${effect.timer}`;
    case 'attempt':
      return `attempt ${effect.reason}${effect.reuse ? ' reusing' : ''}`;
    case 'release':
      return `release ${(effect.handle as unknown as { name: string }).name}`;
    case 'reject':
      return `reject ${effect.error.code}`;
    default:
      return effect.type;
  }
}

function outcome(phase: Phase, input: Input, ctx = context()): string {
  const step = transition(phase, input, ctx);
  const effects = step.effects.map(effectLabel).join('; ');
  return step.phase === phase ? `same${effects ? ` | ${effects}` : ''}` : `${label(step.phase)}${effects ? ` | ${effects}` : ''}`;
}

/** The whole table: phase x input -> next phase | effects. "same" means the phase object is returned as it was. */
const TABLE: Record<string, Record<string, string>> = {
  idle: {
    start: 'attempt#7(initial) | attempt initial',
    register: 'attempt#7(initial) | attempt initial',
    renew: 'attempt#7(initial) | attempt initial',
    unregister: 'idle | reject ABORTED',
    'new token': 'same',
    'new config': 'same',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
  attempt: {
    start: 'same',
    register: 'same',
    renew: 'same',
    unregister: 'idle | abort; release new; reject ABORTED',
    'new token': 'attempt#7(initial) | abort; release new; attempt initial',
    'new config': 'attempt#7(initial) | abort; release new; attempt initial',
    ended: 'same',
    took: 'attempt#3(initial, on new)',
    registered: 'live(up) | emit registered; resolve; emit renewal-scheduled; at next',
    'failed, may pass': 'backoff(timer, failures 1) | emit error; emit retry-scheduled; at next',
    'failed for good': 'halted | emit error; reject TOKEN_SOURCE_FAILED',
    'failed, token refused': 'attempt#7(refused) | emit error; attempt refused',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
  'renewal, old session kept': {
    start: 'same',
    register: 'same',
    renew: 'same',
    unregister: 'idle | abort; release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | abort; attempt renew reusing',
    'new config': 'attempt#7(initial) | abort; release old; attempt initial',
    ended: 'attempt#3(renew, renewing, on old)',
    took: 'attempt#3(renew, kept, on new)',
    registered: 'live(up) | emit registered; resolve; emit renewal-scheduled; at next',
    'failed, may pass': 'live(up, error REGISTER_FAILED) | emit error; resolve-kept; emit retry-scheduled; at next',
    'failed for good': 'live(up, error TOKEN_SOURCE_FAILED) | emit error; resolve-kept; reject TOKEN_SOURCE_FAILED',
    'failed, token refused': 'attempt#7(refused, kept) | emit error; attempt refused reusing',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'attempt#3(renew, kept) | emit connection',
    'socket down': 'attempt#3(renew, kept) | emit connection',
    'socket error': 'attempt#3(renew, kept) | emit connection',
    'socket refused': 'attempt#3(renew, kept) | emit connection',
  },
  'renewal, old session kept, down': {
    start: 'same',
    register: 'same',
    renew: 'same',
    unregister: 'idle | abort; release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | abort; attempt renew reusing',
    'new config': 'attempt#7(initial) | abort; release old; attempt initial',
    ended: 'attempt#3(renew, renewing, on old)',
    took: 'attempt#3(renew, kept, on new)',
    registered: 'live(up) | emit registered; resolve; emit renewal-scheduled; at next',
    'failed, may pass': 'live(down, error REGISTER_FAILED, watch retry) | emit error; resolve-kept; after watchdog; emit retry-scheduled; at next',
    'failed for good': 'live(down, error TOKEN_SOURCE_FAILED, watch retry) | emit error; resolve-kept; after watchdog; reject TOKEN_SOURCE_FAILED',
    'failed, token refused': 'attempt#7(refused, kept) | emit error; attempt refused reusing',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'attempt#3(renew, kept) | emit connection',
    'socket down': 'attempt#3(renew, kept) | emit connection',
    'socket error': 'attempt#3(renew, kept) | emit connection',
    'socket refused': 'attempt#3(renew, kept) | emit connection',
  },
  'renewal, old session ended': {
    start: 'same',
    register: 'same',
    renew: 'same',
    unregister: 'idle | abort; release old; reject ABORTED',
    'new token': 'attempt#7(initial) | abort; release old; attempt initial',
    'new config': 'attempt#7(initial) | abort; release old; attempt initial',
    ended: 'same',
    took: 'attempt#3(renew, renewing, on new)',
    registered: 'live(up) | emit registered; resolve; emit renewal-scheduled; at next',
    'failed, may pass': 'backoff(timer, failures 1) | emit error; emit retry-scheduled; at next',
    'failed for good': 'halted | emit error; reject TOKEN_SOURCE_FAILED',
    'failed, token refused': 'attempt#7(refused, renewing) | emit error; attempt refused',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
  live: {
    start: 'same',
    register: 'same | resolve-kept',
    renew: 'attempt#7(renew, kept) | attempt renew reusing',
    unregister: 'idle | release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | attempt renew reusing',
    'new config': 'attempt#7(initial) | release old; attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(renew, kept) | attempt renew reusing',
    'next due, in a call': 'attempt#7(renew, kept) | attempt renew reusing',
    'watchdog due': 'attempt#7(retry) | release old; attempt retry',
    'socket up': 'live(up) | emit connection; disarm watchdog',
    'socket down': 'live(down, watch retry) | emit connection; after watchdog',
    'socket error': 'live(down, watch refused) | emit connection; after watchdog',
    'socket refused': 'attempt#7(refused) | emit connection; release old; attempt refused',
  },
  'live, down': {
    start: 'same',
    register: 'same | resolve-kept',
    renew: 'attempt#7(renew, kept) | attempt renew reusing',
    unregister: 'idle | release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | attempt renew reusing',
    'new config': 'attempt#7(initial) | release old; attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(renew, kept) | attempt renew reusing',
    'next due, in a call': 'attempt#7(renew, kept) | attempt renew reusing',
    'watchdog due': 'attempt#7(retry) | release old; attempt retry',
    'socket up': 'live(up) | emit connection; disarm watchdog',
    'socket down': 'live(down, watch retry) | emit connection; after watchdog',
    'socket error': 'live(down, watch refused) | emit connection; after watchdog',
    'socket refused': 'attempt#7(refused) | emit connection; release old; attempt refused',
  },
  'live, renewal failed for now': {
    start: 'same',
    register: 'same | resolve-kept',
    renew: 'attempt#7(renew, kept) | attempt renew reusing',
    unregister: 'idle | release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | attempt renew reusing',
    'new config': 'attempt#7(initial) | release old; attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(renew, kept) | attempt renew reusing',
    'next due, in a call': 'attempt#7(renew, kept) | attempt renew reusing',
    'watchdog due': 'attempt#7(retry) | release old; attempt retry',
    'socket up': 'live(up, error REGISTER_FAILED) | emit connection; disarm watchdog',
    'socket down': 'live(down, error REGISTER_FAILED, watch retry) | emit connection; after watchdog',
    'socket error': 'live(down, error REGISTER_FAILED, watch refused) | emit connection; after watchdog',
    'socket refused': 'attempt#7(refused) | emit connection; release old; attempt refused',
  },
  'live, renewal failed for good': {
    start: 'same',
    register: 'same | resolve-kept',
    renew: 'attempt#7(renew, kept) | attempt renew reusing',
    unregister: 'idle | release old; reject ABORTED',
    'new token': 'attempt#7(renew, kept) | attempt renew reusing',
    'new config': 'attempt#7(initial) | release old; attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(renew, kept) | attempt renew reusing',
    'next due, in a call': 'attempt#7(renew, kept) | attempt renew reusing',
    'watchdog due': 'attempt#7(retry) | release old; attempt retry',
    'socket up': 'live(up, error TOKEN_SOURCE_FAILED) | emit connection; disarm watchdog',
    'socket down': 'live(down, error TOKEN_SOURCE_FAILED, watch retry) | emit connection; after watchdog',
    'socket error': 'live(down, error TOKEN_SOURCE_FAILED, watch refused) | emit connection; after watchdog',
    'socket refused': 'attempt#7(refused) | emit connection; release old; attempt refused',
  },
  backoff: {
    start: 'same',
    register: 'attempt#7(initial) | attempt initial',
    renew: 'attempt#7(initial) | attempt initial',
    unregister: 'idle | reject ABORTED',
    'new token': 'attempt#7(initial) | attempt initial',
    'new config': 'attempt#7(initial) | attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(retry) | attempt retry',
    'next due, in a call': 'attempt#7(retry) | attempt retry',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
  'backoff, offline': {
    start: 'same',
    register: 'attempt#7(initial) | attempt initial',
    renew: 'attempt#7(initial) | attempt initial',
    unregister: 'idle | reject ABORTED',
    'new token': 'attempt#7(initial) | attempt initial',
    'new config': 'attempt#7(initial) | attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'attempt#7(retry) | attempt retry',
    'next due, in a call': 'attempt#7(retry) | attempt retry',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
  halted: {
    start: 'attempt#7(initial) | attempt initial',
    register: 'attempt#7(initial) | attempt initial',
    renew: 'attempt#7(initial) | attempt initial',
    unregister: 'idle | reject ABORTED',
    'new token': 'attempt#7(initial) | attempt initial',
    'new config': 'attempt#7(initial) | attempt initial',
    ended: 'same',
    took: 'same',
    registered: 'same',
    'failed, may pass': 'same',
    'failed for good': 'same',
    'failed, token refused': 'same',
    'next due': 'same',
    'next due, in a call': 'same',
    'watchdog due': 'same',
    'socket up': 'same',
    'socket down': 'same',
    'socket error': 'same',
    'socket refused': 'same',
  },
};

describe('transition(): every phase x every input', () => {
  for (const [phaseName, phase] of Object.entries(PHASES)) {
    for (const [inputName, input] of Object.entries(INPUTS)) {
      it(`${phaseName} + ${inputName}`, () => {
        const expected = TABLE[phaseName]?.[inputName];
        expect(outcome(phase, input)).toBe(expected);
      });
    }
  }
});


describe('transition(): what the table does not show', () => {
  const deferring = context({ options: { ...jwt, renewal: { deferWhileInConversation: true } } });

  it('a renewal due during a call is deferred, checked again every 5 s, until the hard deadline', () => {
    const due = { type: 'due', timer: 'next', conversations: 2 } as const;
    const step = transition(livePhase({ deadline: NOW + 12_000 }), due, deferring);
    expect(step.phase).toMatchObject({ kind: 'live', renewAt: NOW + 5_000 });
    expect(step.effects).toEqual([
      { type: 'emit', event: { type: 'renewal-deferred', until: NOW + 5_000, conversations: 2 } },
      { type: 'at', timer: 'next', at: NOW + 5_000 },
    ]);
    expect(transition(livePhase({ deadline: NOW + 3_000 }), due, deferring).phase).toMatchObject({ renewAt: NOW + 3_000 });
    expect(outcome(livePhase({ deadline: NOW }), due, deferring)).toBe('attempt#7(renew, kept) | attempt renew reusing');
    expect(outcome(livePhase(), { ...due, conversations: 0 }, deferring)).toBe('attempt#7(renew, kept) | attempt renew reusing');
  });

  it('offline, a retry that comes due waits for `online` instead of burning an attempt', () => {
    const offline = context({ offline: true });
    expect(outcome(PHASES.backoff as Phase, INPUTS['next due'] as Input, offline)).toBe('backoff(online, failures 2) | when-online next');
    expect(outcome(PHASES['live, renewal failed for now'] as Phase, INPUTS['next due'] as Input, offline)).toBe('live(up, error REGISTER_FAILED) | when-online next');
    expect(outcome(PHASES['live, down'] as Phase, INPUTS['watchdog due'] as Input, offline)).toBe('same | after watchdog');
  });

  it('a failure that may pass while offline schedules no time: it waits for `online`', () => {
    const step = transition(attempt({ retries: { failures: 2, refused: false } }), INPUTS['failed, may pass'] as Input, context({ offline: true }));
    expect(step.phase).toEqual({ kind: 'backoff', retries: { failures: 3, refused: false }, error: network, retryAt: undefined });
    expect(step.effects.map(effectLabel)).toEqual(['emit error', 'emit retry-scheduled', 'when-online next']);
  });

  it('backoff: baseDelayMs x 2^(n-1), capped, half of it random', () => {
    const retryAt = (failures: number, random: number) => {
      const step = transition(attempt({ retries: { failures, refused: false } }), INPUTS['failed, may pass'] as Input, context({ random: () => random }));
      return (step.phase as Extract<Phase, { kind: 'backoff' }>).retryAt;
    };
    expect([retryAt(0, 0), retryAt(0, 0.99), retryAt(3, 0), retryAt(9, 1)]).toEqual([NOW + 500, NOW + 995, NOW + 4_000, NOW + 30_000]);
  });

  it('a socket error with an expired token recovers at once with one fresh token (reason expired, said as it happened)', () => {
    const expired = context({ now: NOW + 61_000 });
    expect(outcome(PHASES.live as Phase, INPUTS['socket error'] as Input, expired)).toBe('attempt#7(expired) | emit connection; release old; attempt expired');
    expect(transition(PHASES.live as Phase, INPUTS['socket error'] as Input, expired).phase).toMatchObject({ retries: { refused: true } });
  });

  it('a refused token after the one fresh token stops: the refusal is final', () => {
    const spent = attempt({ reason: 'refused', retries: { failures: 0, refused: true } });
    expect(outcome(spent, INPUTS['failed, token refused'] as Input)).toBe('halted | emit error; reject UNAUTHORIZED');
    const literal = context({ options: { auth: { mode: 'jwt', apiKey: 'k', userId: 'alice', token: 'a.b.c' } } });
    expect(outcome(attempt(), INPUTS['failed, token refused'] as Input, literal)).toBe('halted | emit error; reject UNAUTHORIZED');
  });

  it('a registration with a literal token, or without exp, schedules no renewal', () => {
    const literal = context({ options: { auth: { mode: 'jwt', apiKey: 'k', userId: 'alice', token: 'a.b.c' } } });
    expect(outcome(attempt(), INPUTS.registered as Input, literal)).toBe('live(up) | emit registered; resolve');
    expect(outcome(attempt(), { ...(INPUTS.registered as Extract<Input, { type: 'registered' }>), expiresAt: undefined })).toBe('live(up) | emit registered; resolve');
  });

  it('a new configuration starts a new stretch of failures; a watchdog restart keeps counting', () => {
    const failing = livePhase({ retries: { failures: 4, refused: true }, live: live({ connected: false }), watch: 'retry' });
    expect(transition(failing, INPUTS['new config'] as Input, context()).phase).toMatchObject({ retries: NO_RETRIES });
    expect(transition(failing, INPUTS['watchdog due'] as Input, context()).phase).toMatchObject({ retries: { failures: 4, refused: true } });
  });
});

describe('transition() moves the published status only along the README\'s status table', () => {
  const moves = new Set<string>();
  for (const phase of Object.values(PHASES)) {
    for (const input of Object.values(INPUTS)) {
      for (const ctx of [context(), context({ offline: true }), context({ now: NOW + 61_000 })]) {
        const from = project(phase).status;
        const to = project(transition(phase, input, ctx).phase).status;
        if (from !== to) moves.add(`${from} -> ${to}`);
      }
    }
  }

  it('every move the table cells make is in STATUS_GOES_TO (or to idle / registering)', () => {
    const off = [...moves].filter((move) => {
      const [from, to] = move.split(' -> ') as [SessionStatus, SessionStatus];
      return !canGoTo(from, to);
    });
    expect(off).toEqual([]);
  });

  it('every move in STATUS_GOES_TO is made by some phase and input', () => {
    const listed = Object.entries(STATUS_GOES_TO).flatMap(([from, tos]) => tos.map((to) => `${from} -> ${to}`));
    expect(listed.filter((move) => !moves.has(move))).toEqual([]);
  });
});
