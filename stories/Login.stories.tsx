import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { AuthProvider } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { countLogged, expectLoggedTimes, expectStatus } from './support/play.js';
import { requireServices, services } from './support/services.js';

interface LoginDemoProps {
  /** The ApiRTC login (uri `apirtc:LOGIN`). */
  login: string;
  /** Sent only to `register({ password })`: never in state, errors or events. */
  password: string;
}

function LoginDemo({ login, password }: LoginDemoProps) {
  const { cloudUrl } = requireServices();
  const log = useEventLog();
  return (
    <Demo
      title="Login / password"
      intro={
        <p>
          <code>{`<AuthProvider auth={{ mode: 'login', login, password }}>`}</code> registers{' '}
          <code>{`new UserAgent({ uri: 'apirtc:${login}' })`}</code> with <code>register({'{ password }'})</code>. Edit the
          login or password in the Controls panel: the provider compares props by value and registers again.
        </p>
      }
    >
      <div className="demo-columns">
        <AuthProvider auth={{ mode: 'login', login, password }} cloudUrl={cloudUrl} onEvent={log.onEvent}>
          <SessionPanel events={log.events} />
        </AuthProvider>
      </div>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Login and password',
  component: LoginDemo,
  args: { login: services?.login ?? 'dev@local.test', password: services?.password ?? '' },
  argTypes: { password: { control: 'text' } },
} satisfies Meta<typeof LoginDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The local cloud's development user: registered, and the session id is that user's ApiRTC id. */
export const DevelopmentUser: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent(requireServices().loginUserId);
  },
};

/** A wrong password: status `error`, code `UNAUTHORIZED`, and no retry (it would not pass). */
export const WrongPassword: Story = {
  args: { password: 'not-the-password' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'error');
    await expect(canvas.getByTestId('error-code')).toHaveTextContent('UNAUTHORIZED');
    await expect(canvas.getByTestId('error-message')).toHaveTextContent('the cloud refused the login or password');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent('—');
    // One refusal, and no retry: a wrong password would not pass.
    await expectLoggedTimes(canvasElement, /error\s*UNAUTHORIZED/, 1);
    await expect(countLogged(canvasElement, /retry-scheduled/)).toBe(0);
    // The password is nowhere on the page: not in the error, not in the events.
    await expect(canvasElement).not.toHaveTextContent('not-the-password');
  },
};
