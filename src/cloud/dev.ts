/**
 * Development credentials of the local cloud (`npm run cloud`, and `startApiRtcCloud()` without
 * `apiKeys`). They only open the local cloud: never use them against cloud.apirtc.com.
 * This module has no Node import, so browser demos may import the constants directly.
 */

/** The apiKey the development cloud knows: `new UserAgent({ uri: 'apiKey:' + DEV_API_KEY })`. */
export const DEV_API_KEY = 'local-dev-api-key';
/** The HS256 secret of {@link DEV_API_KEY}. Signs development JWTs; keep it on the server side anyway. */
export const DEV_API_SECRET = 'local-dev-secret-do-not-use-in-production';
/** The development login user: `new UserAgent({ uri: 'apirtc:' + DEV_LOGIN })`, `register({ password })`. */
export const DEV_LOGIN = 'dev@local.test';
export const DEV_PASSWORD = 'dev-password';
/** The ApiRTC user id of {@link DEV_LOGIN} (the session id after a login registration). */
export const DEV_USER_ID = '1000001';
export const DEV_NICKNAME = 'Dev User';
/** The port `npm run cloud` listens on unless `APIRTC_CLOUD_PORT` or `--port` says otherwise. */
export const DEFAULT_CLOUD_PORT = 3010;
