import { describe, expectTypeOf, it } from 'vitest';
import type { ApiRtcAuthError } from '../../src/core/errors.js';
import type { Session, UserAgent } from '../../src/core/sdk.js';
import type { SessionSnapshot, SessionState, SessionStatus } from '../../src/core/state.js';

declare const state: SessionState;

describe('SessionState narrows on status', () => {
  it('registered and reconnecting carry session and userAgent', () => {
    if (state.status === 'registered' || state.status === 'reconnecting') {
      expectTypeOf(state.session).toEqualTypeOf<Session>();
      expectTypeOf(state.userAgent).toEqualTypeOf<UserAgent>();
      expectTypeOf(state.session.getId).returns.toEqualTypeOf<string>();
      expectTypeOf(state.retryAt).toEqualTypeOf<undefined>();
    }
  });

  it('retrying carries error and retryAt (undefined while offline), and no session', () => {
    if (state.status === 'retrying') {
      expectTypeOf(state.error).toEqualTypeOf<ApiRtcAuthError>();
      expectTypeOf(state.retryAt).toEqualTypeOf<number | undefined>();
      expectTypeOf(state.session).toEqualTypeOf<undefined>();
    }
  });

  it('error carries error; idle carries nothing', () => {
    if (state.status === 'error') expectTypeOf(state.error).toEqualTypeOf<ApiRtcAuthError>();
    if (state.status === 'idle') {
      expectTypeOf(state.error).toEqualTypeOf<undefined>();
      expectTypeOf(state.session).toEqualTypeOf<undefined>();
    }
  });

  it('renewing may or may not still hold the old session', () => {
    if (state.status === 'renewing') expectTypeOf(state.session).toEqualTypeOf<Session | undefined>();
  });

  it('status is the seven statuses', () => {
    expectTypeOf(state.status).toEqualTypeOf<SessionStatus>();
    expectTypeOf<SessionStatus>().toEqualTypeOf<'idle' | 'registering' | 'registered' | 'reconnecting' | 'renewing' | 'retrying' | 'error'>();
  });

  it('the snapshot narrows the same way and keeps its actions', () => {
    const snapshot = {} as SessionSnapshot;
    if (snapshot.status === 'registered') expectTypeOf(snapshot.session).toEqualTypeOf<Session>();
    expectTypeOf(snapshot.register).returns.toEqualTypeOf<Promise<Session>>();
    expectTypeOf(snapshot.unregister).returns.toEqualTypeOf<Promise<void>>();
  });
});
