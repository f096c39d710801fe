import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { AuthProvider } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { countLogged, expectLogged, expectStatus, shownSessionId } from './support/play.js';
import { requireServices } from './support/services.js';

function AnonymousDemo({ autoRegister = true }: { autoRegister?: boolean }) {
  const { cloudUrl, apiKey } = requireServices();
  const log = useEventLog();
  return (
    <Demo
      title="Anonymous (apiKey)"
      intro={
        <p>
          <code>{`<AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl}>`}</code>: the real SDK registers{' '}
          <code>{`new UserAgent({ uri: 'apiKey:${apiKey}' })`}</code> against the local ApiRTC cloud, which gives the session a random id.
          {autoRegister ? null : (
            <>
              {' '}
              With <code>autoRegister={'{false}'}</code> nothing happens on mount: the <code>register()</code> and{' '}
              <code>unregister()</code> buttons are the app's own calls.
            </>
          )}
        </p>
      }
    >
      <div className="demo-columns">
        <AuthProvider auth={{ mode: 'apiKey', apiKey }} cloudUrl={cloudUrl} autoRegister={autoRegister} onEvent={log.onEvent}>
          <SessionPanel events={log.events} />
        </AuthProvider>
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
    await expectStatus(canvasElement, 'registered');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent(/^[\w-]+$/);
    await expectLogged(canvasElement, /registered\s*apiKey, session/);
    // StrictMode mounted the provider twice: still one registration, no error.
    await expect(countLogged(canvasElement, /registered\s*apiKey, session/)).toBe(1);
    await expect(canvas.queryByTestId('error')).not.toBeInTheDocument();
  },
};

/** `autoRegister={false}`: nothing on mount; `register()` and `unregister()` are the app's (the buttons). */
export const ManualRegister: Story = {
  args: { autoRegister: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'idle');
    await expect(countLogged(canvasElement, /registered\s*apiKey/)).toBe(0);
    await userEvent.click(canvas.getByRole('button', { name: 'register()' }));
    await expectStatus(canvasElement, 'registered');
    const sessionId = shownSessionId(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'unregister()' }));
    await expectStatus(canvasElement, 'idle');
    await expectLogged(canvasElement, new RegExp(`unregistered\\s*session ${sessionId}`));
    await expect(canvas.getByTestId('session-id')).toHaveTextContent('—');
  },
};
