/**
 * docs/testing.md, "With a given state": a component that reads useApiRtcSession() rendered in a given status,
 * without mocking the package and without a cloud, through the engine's public seams only (`loadSdk` with a
 * UserAgent double, `<AuthProvider engine>`). The code below is what the guide shows.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import {
  AuthProvider,
  createSessionEngine,
  useApiRtcSession,
  type ApiRtcSdk,
  type SessionEngineOptions,
  type SessionLike,
  type UserAgentLike,
} from '../../src/index.js';

afterEach(cleanup);

/** The component under test: what an app would render from the session state. */
function CallButton() {
  const state = useApiRtcSession();
  if (state.status === 'registered') return <button type="button">Call as {state.session.getId()}</button>;
  if (state.status === 'error') return <p role="alert">{state.error.code}</p>;
  if (state.status === 'retrying') return <p>Reconnecting…</p>;
  return <p>Connecting…</p>;
}

// ---- from the guide ----

/** An SDK whose register() does what the test needs: resolve with a session, reject like the cloud, or hang. */
function sdkThat(register: (options: Record<string, unknown>) => Promise<SessionLike>): ApiRtcSdk {
  class TestUserAgent implements UserAgentLike {
    #registered = false;
    async register(options: Record<string, unknown> = {}) {
      const session = await register(options);
      this.#registered = true;
      return session;
    }
    async unregister() {
      this.#registered = false;
    }
    isRegistered() {
      return this.#registered;
    }
    on() {
      return this;
    }
    removeListener() {
      return this;
    }
  }
  return { UserAgent: TestUserAgent };
}

const registered = (id: string) => sdkThat(async () => ({ getId: () => id }));
const wrongPassword = sdkThat(async () => Promise.reject(Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 })));
const cloudDown = sdkThat(async () => Promise.reject({ code: 5, error: new Error('network') }));
const hanging = sdkThat(() => new Promise<never>(() => {}));

function renderWith(sdk: ApiRtcSdk, options: Partial<SessionEngineOptions> = {}) {
  const engine = createSessionEngine({ auth: { mode: 'apiKey', apiKey: 'test' }, cloudUrl: 'http://127.0.0.1:9', loadSdk: async () => sdk, ...options });
  render(
    <AuthProvider engine={engine}>
      <CallButton />
    </AuthProvider>,
  );
  return engine;
}

// ---- the tests ----

it('registered: the session the double made', async () => {
  renderWith(registered('alice'));
  expect(await screen.findByRole('button', { name: 'Call as alice' })).toBeTruthy();
});

it('error: a refusal that will not pass, with its code', async () => {
  renderWith(wrongPassword, { auth: { mode: 'login', login: 'alice', password: 'wrong' } });
  expect((await screen.findByRole('alert')).textContent).toBe('UNAUTHORIZED');
});

it('retrying: a failure that may pass', async () => {
  const engine = renderWith(cloudDown, { retry: { baseDelayMs: 60_000 } });
  expect(await screen.findByText('Reconnecting…')).toBeTruthy();
  expect(engine.getSnapshot().status).toBe('retrying');
});

it('registering: a register() that has not answered yet', async () => {
  const engine = renderWith(hanging);
  expect(await screen.findByText('Connecting…')).toBeTruthy();
  expect(engine.getSnapshot().status).toBe('registering');
});
