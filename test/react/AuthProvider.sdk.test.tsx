/** The provider with the real SDK (jsdom) against the local cloud. */
import { cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { AuthProvider, useApiRtcSession } from '../../src/index.js';
import { loadApiRtc } from '../support/apirtc-sdk.js';
import { setupLocalCloud, TEST_API_KEY, waitForNoSessions } from '../support/cloud.js';

const fixture = setupLocalCloud();

beforeAll(async () => {
  await loadApiRtc();
});
afterEach(async () => {
  cleanup();
  await waitForNoSessions(fixture.cloud);
});

function Status() {
  const { status, session } = useApiRtcSession();
  return <p>{status === 'registered' ? `registered as ${session?.getId()}` : status}</p>;
}

it('under StrictMode registers exactly one session for real, and unmounting ends it', async () => {
  const token = await fixture.signToken({ userId: 'carol' });
  const view = render(
    <StrictMode>
      <AuthProvider auth={{ mode: 'jwt', apiKey: TEST_API_KEY, userId: 'carol', token }} cloudUrl={fixture.cloud.url}>
        <Status />
      </AuthProvider>
    </StrictMode>,
  );
  await screen.findByText('registered as carol', undefined, { timeout: 10_000 });
  expect(fixture.cloud.registrations.filter((r) => r.mode === 'jwt')).toHaveLength(1);
  expect(fixture.cloud.sessions()).toHaveLength(1);
  view.unmount();
  await waitForNoSessions(fixture.cloud);
  expect(fixture.cloud.disconnects.map((d) => d.cause)).toEqual(['client']);
});
