import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { AuthProvider, type ApiRtcAuthErrorCode } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { countLogged, expectLoggedTimes, expectStatus } from './support/play.js';
import { fetchBadToken, requireServices } from './support/services.js';
import type { BadTokenKind } from './support/types.js';

interface Expectation {
  title: string;
  code: ApiRtcAuthErrorCode;
  message: string;
  why: string;
  /** `error` events before the engine stops: one, or two when the cloud refused and one fresh token was refused too. */
  errors: number;
}

/** What each bad token ends in, and where it is caught. */
const EXPECTED: Record<BadTokenKind, Expectation> = {
  expired: {
    title: 'An expired token',
    code: 'TOKEN_EXPIRED',
    message: 'the token has already expired',
    why: 'Caught in the browser before any network call: its exp is in the past. The engine asks the source once more (reason "expired"), gets the same expired token again, and stops: never a loop.',
    errors: 1,
  },
  'wrong-secret': {
    title: 'A token signed with the wrong secret',
    code: 'UNAUTHORIZED',
    message: 'invalid signature',
    why: 'The browser cannot check a signature (it has no secret, and must not): the cloud refuses the handshake. The engine gets one fresh token (reason "refused"), is refused again, and stops.',
    errors: 2,
  },
  'wrong-user': {
    title: 'A token for another user',
    code: 'INVALID_TOKEN',
    message: 'grants.apiRTC_UserAgent_Id does not match the user id',
    why: 'Caught in the browser: the token was signed for another user id than the userId prop.',
    errors: 1,
  },
  unsigned: {
    title: 'An unsigned token (alg "none")',
    code: 'INVALID_TOKEN',
    message: 'the token is unsigned',
    why: 'Caught in the browser: ApiRTC requires HS256, an unsigned token is never sent.',
    errors: 1,
  },
};

function BadTokenDemo({ kind }: { kind: BadTokenKind }) {
  const { cloudUrl, apiKey } = requireServices();
  const log = useEventLog();
  const userId = 'alice';
  const expected = EXPECTED[kind];
  return (
    <Demo
      title={expected.title}
      intro={
        <p>
          <code>{`auth={{ mode: 'jwt', apiKey, userId: '${userId}', getToken }}`}</code>, where <code>getToken</code> fetches
          a <b>{kind}</b> token that the demo server signs (the secret stays on the server). {expected.why} The UI shows{' '}
          <code>{expected.code}</code>.
        </p>
      }
    >
      <div className="demo-columns">
        <AuthProvider
          auth={{ mode: 'jwt', apiKey, userId, getToken: ({ signal }) => fetchBadToken(kind, userId, signal) }}
          cloudUrl={cloudUrl}
          onEvent={log.onEvent}
        >
          <SessionPanel events={log.events} />
        </AuthProvider>
      </div>
    </Demo>
  );
}

const meta = {
  title: 'Demos/Bad tokens',
  component: BadTokenDemo,
  argTypes: { kind: { control: 'select', options: Object.keys(EXPECTED) } },
} satisfies Meta<typeof BadTokenDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Status `error` with the typed error the UI branches on, and no session. */
async function expectTypedError(canvasElement: HTMLElement, kind: BadTokenKind) {
  const canvas = within(canvasElement);
  const { code, message, errors } = EXPECTED[kind];
  await expectStatus(canvasElement, 'error');
  await expect(canvas.getByTestId('error-code')).toHaveTextContent(code);
  await expect(canvas.getByTestId('error-message')).toHaveTextContent(message);
  await expect(canvas.getByTestId('session-id')).toHaveTextContent('—');
  // Never a loop: the documented number of attempts, and no retry.
  await expectLoggedTimes(canvasElement, /^\S+\s*error\s/, errors);
  await expect(countLogged(canvasElement, /retry-scheduled/)).toBe(0);
  await expect(countLogged(canvasElement, /token\s*reason refused/)).toBe(kind === 'wrong-secret' ? 1 : 0);
}

export const Expired: Story = {
  args: { kind: 'expired' },
  play: ({ canvasElement }) => expectTypedError(canvasElement, 'expired'),
};

export const WrongSecret: Story = {
  args: { kind: 'wrong-secret' },
  play: ({ canvasElement }) => expectTypedError(canvasElement, 'wrong-secret'),
};

export const WrongUserId: Story = {
  args: { kind: 'wrong-user' },
  play: ({ canvasElement }) => expectTypedError(canvasElement, 'wrong-user'),
};

export const Unsigned: Story = {
  args: { kind: 'unsigned' },
  play: ({ canvasElement }) => expectTypedError(canvasElement, 'unsigned'),
};
