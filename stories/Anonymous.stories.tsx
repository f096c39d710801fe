import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { AuthProvider } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { EventLog } from './components/EventLog.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { countLogged, expectLogged, expectStatus } from './support/play.js';
import { requireServices } from './support/services.js';

function AnonymousDemo() {
  const { cloudUrl, apiKey } = requireServices();
  const log = useEventLog();
  return (
    <Demo
      title="Anonymous (apiKey)"
      intro={
        <p>
          <code>{`<AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl}>`}</code>: the real SDK registers{' '}
          <code>{`new UserAgent({ uri: 'apiKey:${apiKey}' })`}</code> against the local ApiRTC cloud, which gives the session a random id.
        </p>
      }
    >
      <div className="demo-columns">
        <AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl} onEvent={log.onEvent}>
          <SessionPanel />
        </AuthProvider>
        <EventLog events={log.events} />
      </div>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Anonymous (apiKey)',
  component: AnonymousDemo,
} satisfies Meta<typeof AnonymousDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Status reaches `registered`, with the id the cloud gave the session. */
export const Registered: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvas, 'registered');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent(/^[\w-]+$/);
    await expectLogged(canvas, /registered\s*apiKey, session/);
    // StrictMode mounted the provider twice: still one registration, no error.
    await expect(countLogged(canvas, /registered\s*apiKey, session/)).toBe(1);
    await expect(canvas.queryByTestId('error')).not.toBeInTheDocument();
  },
};
