import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react';
import { Component, lazy, Profiler, StrictMode, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRtcAuthError, AuthProvider, createSessionEngine, useApiRtcSession, type AuthConfig, type SessionEngineOptions } from '../../src/index.js';
import { API_KEY, setupEngine } from '../support/engine.js';
import { flush } from '../support/fake-clock.js';

/** Provider props on the fake SDK and clock (the engine's own options from the shared harness). */
function harness() {
  const { options, sdk, clock, env, events } = setupEngine();
  const { auth: _auth, ...seams } = options;
  const props = (auth: AuthConfig = { mode: 'apiKey', apiKey: API_KEY }): SessionEngineOptions => ({ ...seams, auth });
  return { sdk, clock, env, events, props };
}

afterEach(cleanup);

describe('AuthProvider + useApiRtcSession', () => {
  it('registers once under StrictMode and exposes the session', async () => {
    const { sdk, props } = harness();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <StrictMode>
        <AuthProvider {...props()}>{children}</AuthProvider>
      </StrictMode>
    );
    const { result } = renderHook(() => useApiRtcSession(), { wrapper });
    expect(result.current.status).toBe('registering'); // at once on mount, while the driver and the SDK load
    await waitFor(() => expect(result.current.status).toBe('registered'));
    expect(sdk.registerCalls).toHaveLength(1);
    expect(sdk.liveSessions).toHaveLength(1);
    expect(result.current.session).toBe(sdk.liveSessions[0]);
  });

  it('does not re-register when re-rendered with inline object literals of the same value', async () => {
    const { sdk, props } = harness();
    function App({ tick }: { tick: number }) {
      return (
        <AuthProvider {...props({ mode: 'apiKey', apiKey: API_KEY })} registerOptions={{ groups: ['a'], userData: { tick: 1 } }} onEvent={() => tick}>
          <Status />
        </AuthProvider>
      );
    }
    const view = render(<App tick={0} />);
    await screen.findByText('registered');
    for (let tick = 1; tick < 20; tick += 1) view.rerender(<App tick={tick} />);
    await screen.findByText('registered');
    expect(sdk.registerCalls).toHaveLength(1);
  });

  it('re-registers when the auth really changes, leaving one live session', async () => {
    const { sdk, props } = harness();
    const view = render(<AuthProvider {...props()}><Status /></AuthProvider>);
    await screen.findByText('registered');
    view.rerender(<AuthProvider {...props({ mode: 'apiKey', apiKey: 'other-key' })}><Status /></AuthProvider>);
    await waitFor(() => expect(sdk.liveSessions.map((s) => s.ua.uri)).toEqual(['apiKey:other-key']));
    await screen.findByText('registered');
  });

  it('re-renders a status selector only when the status changes', async () => {
    const { props } = harness();
    let renders = 0;
    render(
      <AuthProvider {...props()}>
        <Profiler id="status" onRender={() => (renders += 1)}>
          <Status />
        </Profiler>
      </AuthProvider>,
    );
    await screen.findByText('registered');
    // idle -> registering -> registered
    expect(renders).toBe(3);
  });

  it('actions reject with the error instead of swallowing it, and unregister() ends the session', async () => {
    const { sdk, props } = harness();
    sdk.outcomes.push({ kind: 'reject', error: Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 }) });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <AuthProvider {...props({ mode: 'login', login: 'bob', password: 'bad' })} autoRegister={false}>{children}</AuthProvider>
    );
    const { result } = renderHook(() => useApiRtcSession(), { wrapper });
    await act(async () => {
      await expect(result.current.register()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });
    expect(result.current).toMatchObject({ status: 'error', error: { code: 'UNAUTHORIZED' } });
    await act(async () => {
      await result.current.register();
    });
    expect(result.current.status).toBe('registered');
    await act(() => result.current.unregister());
    expect(result.current).toMatchObject({ status: 'idle', session: undefined });
    expect(sdk.liveSessions).toHaveLength(0);
  });

  it('unmounting ends the session and leaves no timer or listener', async () => {
    const { sdk, clock, env, props } = harness();
    const view = render(<AuthProvider {...props()}><Status /></AuthProvider>);
    await screen.findByText('registered');
    view.unmount();
    await waitFor(() => expect(sdk.liveSessions).toHaveLength(0));
    expect({ timers: clock.pending, listeners: env.listeners, ua: sdk.listenerCount }).toEqual({ timers: 0, listeners: 0, ua: 0 });
  });

  it('reads callbacks through a latest-ref: the newest onEvent receives events', async () => {
    const { props } = harness();
    const seen: string[] = [];
    function App({ label }: { label: string }) {
      return <AuthProvider {...props()} onEvent={(e) => seen.push(`${label}:${e.type}`)}><Status /></AuthProvider>;
    }
    const view = render(<App label="first" />);
    view.rerender(<App label="second" />);
    await screen.findByText('registered');
    expect(seen).toContain('second:registered');
    expect(seen).not.toContain('first:registered');
  });

  it('keeps the actions stable across renders and store changes', async () => {
    const { props } = harness();
    const actions = new Set<unknown>();
    function Actions() {
      const { register, status } = useApiRtcSession();
      useEffect(() => {
        actions.add(register);
      });
      return <span>{status}</span>;
    }
    const view = render(<AuthProvider {...props()}><Actions /></AuthProvider>);
    view.rerender(<AuthProvider {...props()}><Actions /></AuthProvider>);
    await screen.findByText('registered');
    expect(actions.size).toBe(1);
  });

  it('applies a new selector at once, even without a store change', async () => {
    const { props } = harness();
    function Is({ want }: { want: string }) {
      return <span>{useApiRtcSession((s) => (s.status === want ? 'yes' : 'no'))}</span>;
    }
    const view = render(<AuthProvider {...props()}><Status /><Is want="registered" /></AuthProvider>);
    await screen.findByText('yes');
    view.rerender(<AuthProvider {...props()}><Status /><Is want="idle" /></AuthProvider>);
    expect(screen.getByText('no')).toBeTruthy();
  });

  it('throws a clear error outside the provider', () => {
    expect(() => renderHook(() => useApiRtcSession())).toThrow('must be used inside <AuthProvider>');
  });
});

function Status() {
  return <span>{useApiRtcSession((s) => s.status)}</span>;
}

/** Keeps what a render threw, as an app's error boundary would, instead of React reporting it as uncaught. */
class Caught extends Component<{ children: ReactNode; onError: (error: unknown) => void }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown) {
    this.props.onError(error);
  }
  override render() {
    return this.state.failed ? <span>failed</span> : this.props.children;
  }
}

describe('AuthProvider: engine or options', () => {
  function renderCaught(node: ReactNode) {
    const errors: unknown[] = [];
    // The boundary keeps the error: React need not log it as well.
    const view = render(<Caught onError={(error) => errors.push(error)}>{node}</Caught>, { onCaughtError: () => undefined });
    return { errors, rerender: (next: ReactNode) => view.rerender(<Caught onError={(error) => errors.push(error)}>{next}</Caught>) };
  }
  const SWITCHED = "<AuthProvider> cannot switch between engine and the engine's options once mounted: give it a new key";
  function expectInvalidEngine(error: unknown, message: string) {
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'engine' });
    expect((error as Error).message).toBe(message);
  }

  it('refuses an engine together with option props, before any engine starts', async () => {
    const { sdk, props } = harness();
    const engine = createSessionEngine(props());
    const { errors } = renderCaught(<AuthProvider engine={engine} cloudUrl="http://127.0.0.1:9"><Status /></AuthProvider>);
    await screen.findByText('failed');
    expectInvalidEngine(errors[0], "<AuthProvider> takes either engine or the engine's options, not both (got engine and cloudUrl)");
    await flush();
    expect(sdk.registerCalls).toHaveLength(0);
    expect(engine.getSnapshot().status).toBe('idle');
  });

  it('refuses an engine given after it was mounted with options, and ends the session it had', async () => {
    const { sdk, props } = harness();
    const { errors, rerender } = renderCaught(<AuthProvider {...props()}><Status /></AuthProvider>);
    await screen.findByText('registered');
    const engine = createSessionEngine(props());
    rerender(<AuthProvider engine={engine}><Status /></AuthProvider>);
    await screen.findByText('failed');
    expectInvalidEngine(errors[0], SWITCHED);
    await waitFor(() => expect(sdk.liveSessions).toHaveLength(0));
    expect(engine.getSnapshot().status).toBe('idle');
  });

  it('refuses options given after it was mounted with an engine, and stops that engine', async () => {
    const { sdk, props } = harness();
    const engine = createSessionEngine(props());
    const { errors, rerender } = renderCaught(<AuthProvider engine={engine}><Status /></AuthProvider>);
    await screen.findByText('registered');
    rerender(<AuthProvider {...props()}><Status /></AuthProvider>);
    await screen.findByText('failed');
    expectInvalidEngine(errors[0], SWITCHED);
    await waitFor(() => expect(sdk.liveSessions).toHaveLength(0));
    expect(sdk.registerCalls).toHaveLength(1);
  });

  it('takes one given engine for another: stops the first, starts the second', async () => {
    const { sdk, props } = harness();
    const first = createSessionEngine(props());
    const second = createSessionEngine(props({ mode: 'apiKey', apiKey: 'other-key' }));
    const view = render(<AuthProvider engine={first}><Status /></AuthProvider>);
    await screen.findByText('registered');
    view.rerender(<AuthProvider engine={second}><Status /></AuthProvider>);
    await waitFor(() => expect(sdk.liveSessions.map((session) => session.ua.uri)).toEqual(['apiKey:other-key']));
    await screen.findByText('registered');
    expect(first.getSnapshot().status).toBe('idle');
  });
});

describe('AuthProvider: mounts, props and server rendering', () => {
  it('a provider remounted with a new key registers only once the old session is gone', async () => {
    const { sdk, props } = harness();
    const view = render(<AuthProvider key="first" {...props()}><Status /></AuthProvider>);
    await screen.findByText('registered');
    let unregistered!: () => void;
    sdk.unregisterGate = new Promise<void>((resolve) => (unregistered = resolve)); // a slow network
    view.rerender(<AuthProvider key="second" {...props()}><Status /></AuthProvider>);
    await screen.findByText('registering');
    await flush();
    expect(sdk.registerCalls).toHaveLength(1); // the SDK's socket layer is page-wide: the new one waits
    unregistered();
    await screen.findByText('registered');
    expect(sdk.registerCalls).toHaveLength(2);
    expect(sdk.liveSessions).toHaveLength(1);
  });

  it('autoRegister turned on after mount registers; turned off, it leaves the session alone', async () => {
    const { sdk, props } = harness();
    const view = render(<AuthProvider {...props()} autoRegister={false}><Status /></AuthProvider>);
    await flush();
    expect(screen.getByText('idle')).toBeDefined();
    view.rerender(<AuthProvider {...props()} autoRegister><Status /></AuthProvider>);
    await screen.findByText('registered');
    view.rerender(<AuthProvider {...props()} autoRegister={false}><Status /></AuthProvider>);
    await flush();
    expect(screen.getByText('registered')).toBeDefined();
    expect(sdk.registerCalls).toHaveLength(1);
  });

  it('hydrates a Suspense boundary that resolves after the provider started with what the server rendered', async () => {
    const { props } = harness();
    let load!: () => void;
    const loaded = new Promise<void>((resolve) => (load = resolve));
    const LazyStatus = lazy(async () => {
      await loaded;
      return { default: Status };
    });
    const app = (Child: ComponentType) => (
      <AuthProvider {...props()}>
        <Suspense fallback={<i>loading</i>}>
          <Child />
        </Suspense>
      </AuthProvider>
    );
    const container = document.createElement('div');
    container.innerHTML = renderToString(app(Status));
    expect(container.innerHTML).toContain('>idle<');
    document.body.appendChild(container);
    const recoverable: unknown[] = [];
    await act(async () => {
      hydrateRoot(container, app(LazyStatus), { onRecoverableError: (error) => recoverable.push(error) });
    });
    await act(async () => {
      load();
      await loaded;
    });
    await waitFor(() => expect(container.textContent).toBe('registered'));
    expect(recoverable).toEqual([]);
    container.remove();
  });
});
