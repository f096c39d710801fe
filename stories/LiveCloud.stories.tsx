import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { AuthProvider, type AuthConfig } from '../src/index.js';
import { Demo } from './components/Demo.js';
import { useEventLog } from './components/eventLog.js';
import { SessionPanel } from './components/SessionPanel.js';
import { expectStatus } from './support/play.js';
import { services } from './support/services.js';
import type { LiveCloud } from './support/types.js';

function HowToEnable() {
  return (
    <section className="panel" aria-label="how to enable the live cloud">
      <h3>How to enable the live cloud</h3>
      <p>
        This demo registers against <code>https://cloud.apirtc.com</code> with your own apiKey. It is off: nothing here
        touches the network. Stop <code>npm start</code> and start it again with:
      </p>
      <pre>
        <code>{`STORYBOOK_APIRTC_API_KEY=yourApiKey npm start                     # anonymous
STORYBOOK_APIRTC_API_KEY=yourApiKey APIRTC_SECRET=yourSecret \\
  STORYBOOK_APIRTC_USER_ID=alice npm start                          # JWT, signed by the Storybook server
STORYBOOK_APIRTC_API_KEY=yourApiKey STORYBOOK_APIRTC_USER_ID=alice \\
  STORYBOOK_APIRTC_TOKEN_URL=https://your.app/api/apirtc-token npm start   # JWT, from your endpoint`}</code>
      </pre>
      <p className="note">
        <code>APIRTC_SECRET</code> has no <code>STORYBOOK_</code> prefix on purpose: Storybook exposes those to the browser, and
        the secret stays in the Node process that signs tokens. Your own token endpoint must answer this page&apos;s
        origin with CORS. The story tests never use the live cloud, whatever the environment says.
      </p>
    </section>
  );
}

function authOf(live: LiveCloud): AuthConfig {
  return live.auth === 'apiKey'
    ? { mode: 'apiKey', apiKey: live.apiKey }
    : { mode: 'jwt', apiKey: live.apiKey, userId: live.userId, tokenUrl: live.tokenUrl };
}

function LiveSession({ live }: { live: LiveCloud }) {
  const log = useEventLog();
  return (
    <div className="demo-columns">
      <AuthProvider auth={authOf(live)} cloudUrl={live.cloudUrl} onEvent={log.onEvent}>
        <SessionPanel title={`useApiRtcSession() on ${live.cloudUrl}`} events={log.events} />
      </AuthProvider>
    </div>
  );
}

function LiveCloudDemo() {
  const live = services?.live ?? null;
  return (
    <Demo
      title="The live ApiRTC cloud"
      intro={<p>The same provider against cloud.apirtc.com, with the apiKey (and token source) you configure through environment variables.</p>}
    >
      {live ? <LiveSession live={live} /> : <HowToEnable />}
    </Demo>
  );
}

const meta = {
  title: 'Demos/Live cloud',
  component: LiveCloudDemo,
  // Renders its own instructions when there are no local services (a static build).
  parameters: { needsServices: false },
} satisfies Meta<typeof LiveCloudDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Without the environment variables (always, in tests): the instructions, and no network at all. */
export const LiveOrInstructions: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    if (!services?.live) {
      await expect(canvas.getByRole('heading', { name: 'How to enable the live cloud' })).toBeInTheDocument();
      await expect(canvas.getByText(/STORYBOOK_APIRTC_API_KEY=yourApiKey npm start/)).toBeInTheDocument();
      await expect(canvas.queryByTestId('status')).not.toBeInTheDocument();
      return;
    }
    await expectStatus(canvasElement, 'registered');
  },
};
