import { describe, expect, test } from 'vitest';
import { ACCOUNT_NEEDED, API_KEY_TOKEN } from '../../src/cloud/index.js';
import { STRICT_API_KEY, STRICT_SECRET, TEST_API_KEY } from '../support/cloud.js';
import { ccsStatus, registerFailure, setupSdkWithCloud } from '../support/sdk-cloud.js';
import { signClaims, vendorClaims } from '../support/tokens.js';

const env = setupSdkWithCloud();

describe('per-apiKey settings, with the real SDK', { timeout: 20_000 }, () => {
  test('the apiKey-wide token (grant ApiKey_Token) registers any user id of its apiKey', async () => {
    const token = await env.signToken({ userId: API_KEY_TOKEN });
    for (const id of ['dave', 'erin']) {
      const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
      const session = await ua.register(env.registerOptions({ id, token }));
      expect(session.getId()).toBe(id);
      expect(env.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: id, apiKey: TEST_API_KEY })]);
      const gone = env.cloud.waitFor('disconnect', (record) => record.channelId === id);
      await ua.unregister();
      await gone;
    }
  });

  test('authentication required: an anonymous register() is refused with "An account is needed", and the SDK stops', async () => {
    const ua = env.userAgent(`apiKey:${STRICT_API_KEY}`);
    const stopped = ccsStatus(ua, 'error');
    const failure = await registerFailure(ua.register(env.registerOptions()));
    expect(failure.code).toBe(env.apiRTC.ERROR_APIRTC_INITIALISATION_FAILED);
    expect(failure.message).toContain(ACCOUNT_NEEDED);
    await stopped;
    expect(env.cloud.refusals).toEqual([expect.objectContaining({ stage: 'handshake', mode: 'apiKey', reason: 'authentication required', message: ACCOUNT_NEEDED })]);
    expect(env.cloud.registrations).toEqual([]);
  });

  test('authentication required: a JWT registers; one living past the apiKey maximum is refused', async () => {
    const long = await signClaims(vendorClaims(STRICT_API_KEY, 'frank', env.cloud.now(), 601), STRICT_SECRET);
    const refused = await registerFailure(env.userAgent(`apiKey:${STRICT_API_KEY}`).register(env.registerOptions({ id: 'frank', token: long })));
    expect(refused.message).toContain('access token failure: jwt lifetime invalid. expected: exp - iat <= 600');

    const token = await signClaims(vendorClaims(STRICT_API_KEY, 'frank', env.cloud.now(), 600), STRICT_SECRET);
    const session = await env.userAgent(`apiKey:${STRICT_API_KEY}`).register(env.registerOptions({ id: 'frank', token }));
    expect(session.getId()).toBe('frank');
  });
});
