import { vi } from 'vitest';
import { createSessionEngine, type ApiRtcAuthError, type Session, type SessionSnapshot, type SessionState } from '../../src/index.js';
import type { DevtoolsEngine } from '../../src/devtools/index.js';

/** A Session as the devtools read it: only its id. */
export function fakeSession(id: string): Session {
  return { getId: () => id } as unknown as Session;
}

/** The state before anything happened, as the real engine publishes it (the store alone: nothing runs). */
const { register: _register, renew: _renew, unregister: _unregister, ...idle } = createSessionEngine({ auth: { mode: 'apiKey', apiKey: 'key' } }).getSnapshot();

/**
 * A store of the engine's shape in a given state, moved by hand: what the devtools need (subscribe/getSnapshot)
 * and nothing else. `listeners` tells whether the panel unsubscribed.
 */
export function fakeEngine(state: Partial<SessionState> = {}) {
  const listeners = new Set<() => void>();
  const actions = {
    register: vi.fn(() => Promise.resolve(fakeSession('x'))),
    renew: vi.fn(() => Promise.reject(new Error('renew refused') as ApiRtcAuthError)),
    unregister: vi.fn(() => Promise.resolve()),
  };
  // A hand-made state need not be one of the union's members: the panel must show whatever it is given.
  let snapshot = { ...idle, ...state, ...actions } as SessionSnapshot;
  const engine: DevtoolsEngine = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => snapshot,
  };
  const set = (patch: Partial<SessionState>) => {
    snapshot = { ...snapshot, ...patch } as SessionSnapshot;
    for (const listener of [...listeners]) listener();
  };
  return { engine, set, actions, listeners };
}
