import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startApiRtcCloud, type ApiRtcCloud, type ApiRtcCloudOptions } from '../../src/cloud/index.js';
import { APIKEY_WIDE_USER_ID, createApiRtcToken } from '../../src/server/token.js';

/** Known credentials of the test cloud (not the development ones, so tests never depend on dev.ts). */
export const TEST_API_KEY = 'test-api-key';
export const TEST_SECRET = 'test-secret-of-the-local-cloud';
/** A second enterprise, to check that tokens and users don't cross apiKeys. */
export const OTHER_API_KEY = 'other-api-key';
export const OTHER_SECRET = 'other-secret-of-the-local-cloud';
/** A third enterprise with every per-apiKey setting on: authentication required, 10 min tokens at most, secure REST. */
export const STRICT_API_KEY = 'strict-api-key';
export const STRICT_SECRET = 'strict-secret-of-the-local-cloud';
export const STRICT_MAX_TOKEN_LIFETIME = 600;
export const TEST_LOGIN = 'alice@example.test';
export const TEST_PASSWORD = 'alice-password';
export const TEST_LOGIN_USER_ID = '2000001';
export const TEST_NICKNAME = 'Alice';
export const OTHER_LOGIN = 'olga@other.test';
export const OTHER_PASSWORD = 'olga-password';

export const TEST_CLOUD_OPTIONS = {
  apiKeys: {
    [TEST_API_KEY]: TEST_SECRET,
    [OTHER_API_KEY]: OTHER_SECRET,
    [STRICT_API_KEY]: { secret: STRICT_SECRET, authRequired: true, maxTokenLifetime: STRICT_MAX_TOKEN_LIFETIME, secure: true },
  },
  users: [
    { login: TEST_LOGIN, password: TEST_PASSWORD, userId: TEST_LOGIN_USER_ID, nickname: TEST_NICKNAME },
    { login: 'bob@example.test', password: 'bob-password' },
    { login: OTHER_LOGIN, password: OTHER_PASSWORD, apiKey: OTHER_API_KEY },
  ],
} as const satisfies ApiRtcCloudOptions;

export interface SignTestTokenOptions {
  userId: string;
  /** Default TEST_API_KEY. */
  apiKey?: string;
  /** Default: the apiKey's secret in TEST_CLOUD_OPTIONS. */
  secret?: string;
  /** Seconds; default 3600. */
  expiresIn?: number;
  /** Issue time in ms; default the cloud's clock. */
  issuedAt?: number;
}

export interface CloudFixture {
  /** The cloud of this test file (started in beforeAll). */
  readonly cloud: ApiRtcCloud;
  /** Signs a customer JWT with createApiRtcToken, on the cloud's clock. */
  signToken(options: SignTestTokenOptions): Promise<string>;
}

/**
 * Starts a local cloud for the current test file (beforeAll) and closes it (afterAll). Before each test
 * the faults, the clock offset and the records are reset, and a downed cloud is brought back up.
 */
export function setupLocalCloud(options: ApiRtcCloudOptions = TEST_CLOUD_OPTIONS): CloudFixture {
  let current: ApiRtcCloud | undefined;
  const fixture: CloudFixture = {
    get cloud(): ApiRtcCloud {
      if (!current) throw new Error('the local cloud starts in beforeAll: use fixture.cloud inside tests or hooks');
      return current;
    },
    async signToken({ userId, apiKey = TEST_API_KEY, secret, expiresIn = 3600, issuedAt }) {
      const entry = options.apiKeys?.[apiKey];
      const key = secret ?? (typeof entry === 'string' ? entry : entry?.secret);
      if (key === undefined) throw new Error(`no secret known for apiKey ${apiKey}`);
      const cloud = fixture.cloud;
      const now = () => issuedAt ?? cloud.now();
      // The apiKey-wide grant is signed on purpose only (scope 'apiKey'), never as a userId.
      if (userId === APIKEY_WIDE_USER_ID) return createApiRtcToken({ apiKey, secret: key, scope: 'apiKey', expiresIn, now });
      return createApiRtcToken({ apiKey, secret: key, userId, expiresIn, now });
    },
  };
  beforeAll(async () => {
    current = await startApiRtcCloud(options);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  beforeEach(async () => {
    const cloud = fixture.cloud;
    cloud.faults.reset();
    if (!cloud.isUp) await cloud.faults.up();
    cloud.resetClock();
    cloud.clearRecords();
  });
  return fixture;
}

/** Resolves once the cloud has no live session (waits on 'disconnect' events, never sleeps). */
export async function waitForNoSessions(cloud: ApiRtcCloud, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (cloud.sessions().length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the cloud still has ${cloud.sessions().length} live session(s)`);
    await cloud.waitFor('disconnect', undefined, { timeoutMs: left });
  }
}
