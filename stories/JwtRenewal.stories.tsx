import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { AuthProvider } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { REGISTER_TIMEOUT_MS, countLogged, expectLogged, expectStatus, expectText } from './support/play.js';
import { requireServices } from './support/services.js';

/** A 20 s token renews 4 to 6 s before it expires: about 15 s after it was issued. */
const RENEWAL_TIMEOUT_MS = 60_000;

function JwtRenewalDemo({ userId, signedIn = true }: { userId: string; signedIn?: boolean }) {
  const { cloudUrl, apiKey, tokenUrl, demoUserHeader, tokenLifetimeSeconds } = requireServices();
  const log = useEventLog();
  return (
    <Demo
      title="JWT from a token endpoint, renewed before it expires"
      intro={
        <p>
          <code>{`auth={{ mode: 'jwt', apiKey, userId: '${userId}', tokenUrl: '/api/apirtc-token' }}`}</code>. The endpoint is
          this package&apos;s <code>createTokenHandler</code>, running in the Storybook server, and signs{' '}
          {tokenLifetimeSeconds} s tokens. Watch the countdown: before the token expires the engine fetches a fresh
          one (reason <code>renew</code>), ends the session with <code>ua.unregister()</code> and registers again. In JWT
          mode the session id is the user id; each registration is a new Session with a new token (see its jti).
          Demo only: the endpoint trusts the <code>{demoUserHeader}</code> header; a real one authenticates the
          request (your session cookie) in <code>authorize</code>.
          {signedIn ? null : (
            <>
              {' '}
              Here the header is left out, as for a user signed out of your app: the endpoint answers 401, and the
              engine stops at once (<code>TOKEN_SOURCE_FAILED</code>, not retried) instead of asking again and again.
            </>
          )}
        </p>
      }
    >
      <AuthProvider
        auth={{ mode: 'jwt', apiKey, userId, tokenUrl, tokenRequestInit: { headers: signedIn ? { [demoUserHeader]: userId } : {} } }}
        cloudUrl={cloudUrl}
        onEvent={log.onEvent}
      >
        <div className="demo-columns">
          <div>
            <SessionPanel events={log.events} />
          </div>
        </div>
      </AuthProvider>
    </Demo>
  );
}

const meta = {
  title: 'Demos/JWT renewal',
  component: JwtRenewalDemo,
  args: { userId: 'alice' },
} satisfies Meta<typeof JwtRenewalDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Registered with a token from the endpoint; about 15 s later, renewed: a second registration with a new token. */
export const RenewedBeforeExpiry: Story = {
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'registered');
    await expect(canvas.getByTestId('session-id')).toHaveTextContent(args.userId);
    await expect(canvas.getByTestId('renews-in')).toHaveTextContent(/^\d+\.\d s$/);
    await expectLogged(canvasElement, 'renewal-scheduled');
    const first = await canvas.findByTestId('registration-1', {}, { timeout: REGISTER_TIMEOUT_MS });
    await expect(first).toHaveTextContent('initial');

    // The renewal: a fresh token (reason "renew"), then a new registration.
    const second = await canvas.findByTestId('registration-2', {}, { timeout: RENEWAL_TIMEOUT_MS });
    await expect(second).toHaveTextContent('renew');
    const jti = (row: HTMLElement) => row.children[3]?.textContent;
    await expect(jti(second)).not.toBe(jti(first));
    await expectLogged(canvasElement, /status\s*→ renewing/);
    await expectStatus(canvasElement, 'registered');
    await expectText(canvasElement, 'renews-in', /^\d+\.\d s$/);
  },
};

/** The token endpoint answers 401 (the user is signed out of the app): a typed error, no retry, no registration. */
export const SignedOut: Story = {
  args: { signedIn: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expectStatus(canvasElement, 'error');
    await expect(canvas.getByTestId('error-code')).toHaveTextContent('TOKEN_SOURCE_FAILED');
    await expect(canvas.getByTestId('error-message')).toHaveTextContent('the token endpoint answered HTTP 401');
    await expect(countLogged(canvasElement, /retry-scheduled/)).toBe(0);
    await expect(countLogged(canvasElement, /^\S+\s*registered\s/)).toBe(0);
  },
};
