import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, userEvent, within } from 'storybook/test';
import { AuthProvider } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { FaultControls } from './components/FaultControls.js';
import { SessionPanel } from './components/SessionPanel.js';
import { SimulatedNetwork } from './components/simulated-network.js';
import { REGISTER_TIMEOUT_MS, countLogged, expectLogged, expectLoggedTimes, expectStatus, expectText, shownSessionId } from './support/play.js';
import { requireServices, resetFaultsCloud, services } from './support/services.js';

/** Shorter than the defaults (20 s, 1 s to 30 s), so that recoveries happen while you watch. */
const RECONNECT_TIMEOUT_MS = 4_000;
const RETRY = { baseDelayMs: 500, maxDelayMs: 4_000 };

function FaultsDemo() {
  const { faultsCloudUrl, apiKey } = requireServices();
  const log = useEventLog();
  const [network] = useState(() => new SimulatedNetwork());
  return (
    <Demo
      title="Faults and recovery"
      intro={
        <p>
          An anonymous session on a local cloud of its own. Break it with the buttons (they call the cloud&apos;s{' '}
          <code>/_cloud/faults/…</code> routes) and watch the status react and recover. This demo passes{' '}
          <code>reconnectTimeoutMs={RECONNECT_TIMEOUT_MS}</code> and <code>retry={JSON.stringify(RETRY)}</code> so that you
          don&apos;t wait for the defaults. &quot;Offline&quot; is simulated: a page cannot take its browser offline, so the
          engine&apos;s <code>environment</code> says offline while the cloud is down.
        </p>
      }
    >
      <AuthProvider
        auth={{ mode: 'apiKey', apiKey }}
        cloudUrl={faultsCloudUrl}
        reconnectTimeoutMs={RECONNECT_TIMEOUT_MS}
        retry={RETRY}
        environment={network}
        onEvent={log.onEvent}
      >
        <div className="demo-columns">
          <div>
            <SessionPanel events={log.events} />
            <FaultControls network={network} />
          </div>
        </div>
      </AuthProvider>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Faults',
  component: FaultsDemo,
  // Each fault demo starts from a healthy cloud, whatever the previous one left behind.
  beforeEach: async () => {
    if (services) await resetFaultsCloud();
  },
} satisfies Meta<typeof FaultsDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

const REGISTERED = /^\S+ registered/;
const button = (canvasElement: HTMLElement, name: RegExp) => within(canvasElement).getByRole('button', { name });
const checkbox = (canvasElement: HTMLElement, name: RegExp) => within(canvasElement).getByRole('checkbox', { name });

/** A network drop: the SDK reconnects by itself, and the session keeps its id. */
export const DropAndReconnect: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    const id = shownSessionId(canvasElement);
    await userEvent.click(button(canvasElement, /drop the connection/i));
    // The cloud says how many sessions it dropped: this one.
    await expectText(canvasElement, 'fault-answer', /drop: \{"dropped":\d+\}/, REGISTER_TIMEOUT_MS);
    await expect(canvas.getByTestId('fault-answer')).toHaveTextContent('drop: {"dropped":1}');
    await expectLogged(canvasElement, /status\s*→ reconnecting/);
    await expectStatus(canvasElement, 'registered');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent(id);
    await expect(canvas.getByTestId('event-log')).not.toHaveTextContent('user-agent-released');
  },
};

/**
 * A kick (server-side disconnect): the SDK does not reconnect; after reconnectTimeoutMs the engine
 * registers again on a new UserAgent. (The SDK keeps the page's anonymous id, so the id stays.)
 */
export const KickAndReplace: Story = {
  play: async ({ canvasElement }) => {
    await expectStatus(canvasElement, 'registered');
    const registrations = countLogged(canvasElement, REGISTERED);
    await userEvent.click(button(canvasElement, /kick/i));
    await expectLogged(canvasElement, /status\s*→ reconnecting/);
    await expectLogged(canvasElement, /user-agent-released\s*the socket did not reconnect/);
    await expectLoggedTimes(canvasElement, REGISTERED, registrations + 1);
    await expectStatus(canvasElement, 'registered');
  },
};

/** The cloud goes down: the session waits, and comes back once the cloud is up. */
export const CloudDownAndUp: Story = {
  play: async ({ canvasElement }) => {
    await expectStatus(canvasElement, 'registered');
    await userEvent.click(button(canvasElement, /take the cloud down/i));
    await expectLogged(canvasElement, /status\s*→ reconnecting/);
    await userEvent.click(button(canvasElement, /bring the cloud up/i));
    await expectStatus(canvasElement, 'registered');
  },
};

/**
 * The cloud refuses handshakes as an auth failure: the SDK gives up its reconnect, the engine tries a new
 * UserAgent, is refused (`UNAUTHORIZED`, which won't pass) and stops. Accept handshakes again, then register().
 */
export const RefusedHandshakes: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    await userEvent.click(checkbox(canvasElement, /refuse new handshakes/i));
    await expectText(canvasElement, 'fault-answer', /refuse: .*refused by the local cloud/);
    await userEvent.click(button(canvasElement, /drop the connection/i));
    await expectStatus(canvasElement, 'error');
    await expect(canvas.getByTestId('error-code')).toHaveTextContent('UNAUTHORIZED');
    await expect(canvas.getByTestId('error-message')).toHaveTextContent('refused by the local cloud');
    await userEvent.click(checkbox(canvasElement, /refuse new handshakes/i));
    await expectText(canvasElement, 'fault-answer', /accept: .*"refusing":null/);
    await userEvent.click(button(canvasElement, /^register\(\)$/));
    await expectStatus(canvasElement, 'registered');
    await expect(canvas.queryByTestId('error')).not.toBeInTheDocument();
  },
};

/** The cloud answers 503 three times: the engine retries with backoff and registers. */
export const CloudErrors: Story = {
  play: async ({ canvasElement }) => {
    await expectStatus(canvasElement, 'registered');
    await userEvent.click(button(canvasElement, /answer 503/i));
    await expectText(canvasElement, 'fault-answer', /rest-errors: .*"status":503/);
    await userEvent.click(button(canvasElement, /^renew\(\)$/));
    await expectLogged(canvasElement, /retry-scheduled\s*attempt 1/);
    await expectStatus(canvasElement, 'registered');
  },
};

/**
 * Offline (simulated): the socket drops and the status shows `reconnecting`; while the browser says it is
 * offline the engine does not give the session up. Back online, the session comes back.
 */
export const Offline: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    await userEvent.click(checkbox(canvasElement, /offline/i));
    await expect(canvas.getByTestId('network')).toHaveTextContent('offline');
    await expectLogged(canvasElement, /status\s*→ reconnecting/);
    await userEvent.click(checkbox(canvasElement, /offline/i));
    await expectStatus(canvasElement, 'registered');
    await expectText(canvasElement, 'network', 'online');
  },
};
