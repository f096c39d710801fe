import type { ReactNode } from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthProvider,
  createSessionEngine,
  useApiRtcSession,
  type AuthConfig,
  type AuthProviderProps,
  type SessionEngine,
  type SessionEvent,
  type SessionSnapshot,
  type SessionStatus,
} from '../src/index.js';

describe('the public types', () => {
  it('AuthProvider takes the engine options, or an engine, but not an engine with auth', () => {
    expectTypeOf<{ auth: AuthConfig; children: ReactNode }>().toMatchTypeOf<AuthProviderProps>();
    expectTypeOf<{ engine: SessionEngine }>().toMatchTypeOf<AuthProviderProps>();
    expectTypeOf<{ engine: SessionEngine; auth: AuthConfig }>().not.toMatchTypeOf<AuthProviderProps>();
    expectTypeOf<{ children: ReactNode }>().not.toMatchTypeOf<AuthProviderProps>();
    expectTypeOf(AuthProvider).parameter(0).toEqualTypeOf<AuthProviderProps>();
  });

  it('useApiRtcSession returns the snapshot, or what the selector returns', () => {
    expectTypeOf(useApiRtcSession()).toEqualTypeOf<SessionSnapshot>();
    expectTypeOf(useApiRtcSession<SessionStatus>).toBeCallableWith((s: SessionSnapshot) => s.status);
  });

  it('createSessionEngine makes a SessionEngine; events are a union on type', () => {
    expectTypeOf(createSessionEngine).returns.toEqualTypeOf<SessionEngine>();
    expectTypeOf<Extract<SessionEvent, { type: 'registered' }>>().toHaveProperty('sessionId').toEqualTypeOf<string>();
  });
});
