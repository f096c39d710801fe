/** `<ApiRtcSessionDevtools />` rendered with Testing Library against an engine in a given state. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { ApiRtcAuthError, AuthProvider } from '../../src/index.js';
import { ApiRtcSessionDevtools, createDevtoolsEventLog, type DevtoolsEngine, type TimedSessionEvent } from '../../src/devtools/index.js';
import { fakeEngine, fakeSession } from './fake-engine.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeAll(async () => {
  // The panel is a lazy chunk: transform it once up front so that each test's first render finds it at once.
  await import('../../src/devtools/Panel.js');
});
beforeEach(() => {
  // Date and the panel's ticking interval on a fake clock; promises (the lazy chunk) and Testing Library's waits stay real.
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

const panel = () => screen.findByRole('region', { name: 'ApiRTC session devtools' }, { timeout: 10_000 });

it('shows the status, the session id and the token countdowns, ticking on the clock', async () => {
  const { engine } = fakeEngine({ status: 'registered', session: fakeSession('alice'), expiresAt: T0 + 20_000, renewAt: T0 + 15_000 });
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  expect(screen.getByTestId('status').textContent).toBe('registered');
  expect(screen.getByTestId('session-id').textContent).toContain('alice');
  expect(screen.getByTestId('expires-in').textContent).toContain('20.0 s');
  expect(screen.getByTestId('renews-in').textContent).toContain('15.0 s');
  act(() => vi.advanceTimersByTime(4_000));
  expect(screen.getByTestId('expires-in').textContent).toContain('16.0 s');
  expect(screen.getByTestId('renews-in').textContent).toContain('11.0 s');
});

it('renders nothing and loads no panel when not enabled', async () => {
  const { engine, listeners } = fakeEngine();
  const { container } = render(<ApiRtcSessionDevtools engine={engine} enabled={false} position="inline" />);
  await act(() => Promise.resolve());
  expect(container.innerHTML).toBe('');
  expect(listeners.size).toBe(0);
});

it('is off by default in a production build, and on there when enabled', async () => {
  vi.stubEnv('NODE_ENV', 'production');
  const { engine } = fakeEngine();
  const first = render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await act(() => Promise.resolve());
  expect(first.container.innerHTML).toBe('');
  first.unmount();
  render(<ApiRtcSessionDevtools engine={engine} position="inline" enabled />);
  await panel();
});

it('reads the engine of the nearest <AuthProvider>', async () => {
  render(
    <AuthProvider auth={{ mode: 'apiKey', apiKey: 'key' }} cloudUrl="http://127.0.0.1:9" autoRegister={false}>
      <ApiRtcSessionDevtools position="inline" />
    </AuthProvider>,
  );
  await panel();
  expect(screen.getByTestId('status').textContent).toBe('idle');
});

it('says what is missing outside a provider without an engine', () => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(() => render(<ApiRtcSessionDevtools />)).toThrow('<ApiRtcSessionDevtools> must be used inside <AuthProvider> or be given an engine');
});

it('the buttons call the actions; a rejected action is shown from state, not thrown', async () => {
  const { engine, actions } = fakeEngine({ status: 'registered', session: fakeSession('alice') });
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  fireEvent.click(screen.getByRole('button', { name: 'renew()' }));
  fireEvent.click(screen.getByRole('button', { name: 'unregister()' }));
  fireEvent.click(screen.getByRole('button', { name: 'register()' }));
  expect(actions.renew).toHaveBeenCalledOnce();
  expect(actions.unregister).toHaveBeenCalledOnce();
  expect(actions.register).toHaveBeenCalledOnce();
});

it('shows the error with its code, message and whether it is retried', async () => {
  const error = new ApiRtcAuthError('UNAUTHORIZED', 'the cloud refused the login', { retryable: false });
  const { engine } = fakeEngine({ status: 'error', error });
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  expect(screen.getByTestId('error-code').textContent).toContain('UNAUTHORIZED');
  expect(screen.getByTestId('error-message').textContent).toContain('the cloud refused the login');
  expect(screen.getByRole('alert').textContent).toContain('retryable: no');
});

it('shows the next attempt while retrying, or that it waits to be back online', async () => {
  const { engine, set } = fakeEngine({ status: 'retrying', retryAt: T0 + 3_000 });
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  expect(screen.getByTestId('retry-in').textContent).toContain('3.0 s');
  act(() => set({ retryAt: undefined }));
  expect(screen.getByText('when the browser is back online')).not.toBeNull();
});

it('without an event source, logs the state changes it saw', async () => {
  const { engine, set } = fakeEngine();
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  act(() => set({ status: 'registering' }));
  act(() => vi.advanceTimersByTime(500));
  act(() => set({ status: 'registered', session: fakeSession('alice'), expiresAt: T0 + 20_500, renewAt: T0 + 15_500 }));
  const log = screen.getByTestId('event-log');
  const lines = within(log).getAllByRole('listitem').map((line) => line.textContent);
  // Newest first.
  expect(lines).toEqual([
    '+0.50s renewal-scheduled renew in 15.0 s',
    '+0.50s token expires in 20.0 s',
    '+0.50s registered session alice',
    '+0.50s status → registered',
    '+0.00s status → registering',
    '+0.00s status → idle',
  ]);
  expect(screen.getByRole('heading', { name: 'State changes (6)' })).not.toBeNull();
  expect(screen.getByTestId('registration-1').textContent).toContain('alice');
});

it('with createDevtoolsEventLog, logs the events from before it loaded and after, and each registration with its token', async () => {
  const log = createDevtoolsEventLog();
  const { engine } = fakeEngine({ status: 'registered', session: fakeSession('alice') });
  log.onEvent({ type: 'status', status: 'registering' });
  log.onEvent({ type: 'token', reason: 'initial', expiresAt: T0 + 20_000, jti: 'aaaaaaaa-1111' });
  log.onEvent({ type: 'registered', mode: 'jwt', sessionId: 'alice' });
  render(<ApiRtcSessionDevtools engine={engine} events={log} position="inline" />);
  await panel();
  act(() => vi.advanceTimersByTime(15_000));
  act(() => {
    log.onEvent({ type: 'status', status: 'renewing' });
    log.onEvent({ type: 'token', reason: 'renew', expiresAt: T0 + 35_000, jti: 'bbbbbbbb-2222' });
    log.onEvent({ type: 'registered', mode: 'jwt', sessionId: 'alice' });
  });
  expect(screen.getByRole('heading', { name: 'Events (6)' })).not.toBeNull();
  expect(screen.getByTestId('event-log').textContent).toContain('+15.00s token reason renew, expires in 20.0 s, jti bbbbbbbb…');
  const rows = [screen.getByTestId('registration-1'), screen.getByTestId('registration-2')].map((row) => [...row.children].map((cell) => cell.textContent));
  expect(rows).toEqual([
    ['1', '+0.0s', 'initial', 'aaaaaaaa…', 'alice'],
    ['2', '+15.0s', 'renew', 'bbbbbbbb…', 'alice'],
  ]);
});

it('uses the engine’s own subscribeEvents when it has one', async () => {
  const { engine } = fakeEngine({ status: 'registered' });
  const listeners = new Set<(event: TimedSessionEvent) => void>();
  const withEvents: DevtoolsEngine = {
    ...engine,
    subscribeEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const view = render(<ApiRtcSessionDevtools engine={withEvents} position="inline" />);
  await panel();
  expect(listeners.size).toBe(1);
  act(() => listeners.forEach((listener) => listener({ at: T0, event: { type: 'connection', status: 'disconnected' } })));
  expect(screen.getByTestId('event-log').textContent).toContain('connection disconnected');
  view.unmount();
  expect(listeners.size).toBe(0);
});

it('draws the timeline: status over time, each token as a bar, renewals and drops marked', async () => {
  const { engine, set } = fakeEngine({ status: 'registering' });
  render(<ApiRtcSessionDevtools engine={engine} position="inline" />);
  await panel();
  const step = (ms: number, patch: Parameters<typeof set>[0]) => {
    act(() => vi.advanceTimersByTime(ms));
    act(() => set(patch));
  };
  step(1_000, { status: 'registered', session: fakeSession('alice'), expiresAt: T0 + 21_000, renewAt: T0 + 16_000 });
  step(5_000, { status: 'reconnecting' });
  step(1_000, { status: 'registered' });
  step(9_000, { status: 'renewing' });
  step(500, { status: 'registered', expiresAt: T0 + 36_500, renewAt: T0 + 31_500 });
  const timeline = screen.getByRole('img', { name: 'session timeline' });
  const statuses = [...timeline.querySelectorAll('[data-kind="status"]')].map((rect) => rect.getAttribute('data-status'));
  expect(statuses).toEqual(['registering', 'registered', 'reconnecting', 'registered', 'renewing', 'registered']);
  const tokens = [...timeline.querySelectorAll('[data-kind="token"]')];
  expect(tokens).toHaveLength(2);
  expect(tokens[0]?.getAttribute('data-replaced')).toBe('true');
  expect(tokens[1]?.hasAttribute('data-replaced')).toBe(false);
  expect(timeline.querySelectorAll('[data-kind="renew-at"]')).toHaveLength(2);
  expect(timeline.querySelectorAll('[data-kind="drop"]')).toHaveLength(1);
  expect(timeline.querySelectorAll('[data-kind="renewal"]')).toHaveLength(1);
  expect(timeline.querySelector('[data-kind="token"] title')?.textContent).toBe('token received +1.0s, expires +21.0s');
});

it('floats behind a toggle button by default, and leaves no listener or timer after unmount', async () => {
  const { engine, listeners } = fakeEngine({ status: 'registered', session: fakeSession('alice') });
  const view = render(<ApiRtcSessionDevtools engine={engine} />);
  const toggle = await screen.findByRole('button', { name: 'open the ApiRTC session devtools' });
  expect(toggle.textContent).toContain('registered');
  expect(vi.getTimerCount()).toBe(0); // closed: nothing ticks
  fireEvent.click(toggle);
  await panel();
  expect(vi.getTimerCount()).toBe(1);
  fireEvent.click(screen.getByRole('button', { name: 'close the ApiRTC session devtools' }));
  expect(screen.queryByRole('region', { name: 'ApiRTC session devtools' })).toBeNull();
  view.unmount();
  expect(listeners.size).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});
