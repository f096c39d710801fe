import type { Session, UserAgent } from '../sdk.js';
import type { IdleState, SessionState } from '../state.js';
import type { Phase } from './phase.js';

export const IDLE: IdleState = Object.freeze({
  status: 'idle',
  session: undefined,
  userAgent: undefined,
  error: undefined,
  expiresAt: undefined,
  renewAt: undefined,
  retryAt: undefined,
});

/** The published state of a phase: the one function that decides what `getSnapshot()` says. */
export function project(phase: Phase): SessionState {
  switch (phase.kind) {
    case 'idle':
      return IDLE;
    case 'halted':
      return { ...IDLE, status: 'error', error: phase.error };
    case 'backoff':
      return { ...IDLE, status: 'retrying', error: phase.error, retryAt: phase.retryAt };
    case 'attempt': {
      const { kept, error } = phase;
      if (!phase.renewing) return { ...IDLE, status: 'registering', error };
      // A renewal shows the session it renews until that has ended.
      return { ...IDLE, status: 'renewing', error, session: kept?.session as Session | undefined, userAgent: kept?.handle.ua as UserAgent | undefined, expiresAt: kept?.expiresAt };
    }
    case 'live': {
      const { live } = phase;
      return {
        status: live.connected ? 'registered' : 'reconnecting',
        session: live.session as unknown as Session,
        userAgent: live.handle.ua as unknown as UserAgent,
        error: phase.error,
        expiresAt: live.expiresAt,
        renewAt: phase.renewAt,
        retryAt: undefined,
      };
    }
  }
}
