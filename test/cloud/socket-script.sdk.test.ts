import { describe, expect, test } from 'vitest';
import { SOCKET_SCRIPT_PATH } from '../../src/cloud/index.js';
import { TEST_API_KEY } from '../support/cloud.js';
import { nextSdkEvent, setupSdkWithCloud } from '../support/sdk-cloud.js';

// Its own file: the SDK loads the socket.io script once per page, so this must be the page's first register.
const env = setupSdkWithCloud();

describe('the socket script withheld (the SDK hang case)', { timeout: 20_000 }, () => {
  test('register() does not settle; the SDK reports externalJsLoadingStatus error after its retries', async () => {
    env.cloud.faults.withholdSocketScript();
    const ua = env.userAgent(`apiKey:${TEST_API_KEY}`);
    const loadError = nextSdkEvent<{ extjs: string; status: string }>(ua, 'externalJsLoadingStatus', (event) => event.status === 'error');
    let settled = false;
    void ua.register(env.registerOptions()).then(
      () => (settled = true),
      () => (settled = true),
    );

    expect(await loadError).toMatchObject({ extjs: 'sio', status: 'error' });
    const scriptRequests = env.cloud.requests.filter((request) => request.path === SOCKET_SCRIPT_PATH);
    expect(scriptRequests.length).toBeGreaterThanOrEqual(1);
    expect(scriptRequests.every((request) => request.status === 404)).toBe(true);
    expect(settled).toBe(false);
    expect(env.cloud.sessions()).toEqual([]);
  });
});
