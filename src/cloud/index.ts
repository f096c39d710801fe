/**
 * `apirtc-react-auth/cloud`: a local ApiRTC cloud for tests and demos (Node only).
 * It answers what the real @apirtc/apirtc SDK calls to register (REST, socket script, socket.io CCS),
 * verifies customer JWTs as the cloud does, and injects faults.
 */
export { startApiRtcCloud, DEFAULT_WAIT_TIMEOUT_MS } from './cloud.js';
export type { ApiRtcCloud, WaitForOptions } from './cloud.js';
export type { ApiRtcCloudOptions, CloudApiKey, CloudUser } from './config.js';
export type { ConversationRecord } from './conversations.js';
export { DEFAULT_LOGIN_TOKEN_TTL_MS, DEFAULT_MAX_TOKEN_LIFETIME_S } from './config.js';
export { LocalCloudConfigError, isLocalCloudConfigError } from './errors.js';
export { API_KEY_TOKEN, lifetimeReason } from './token-check.js';
export type { CloudState } from './control.js';
export { DEFAULT_HTTP_DOWN_MS } from './control.js';
export { DEFAULT_REFUSE_MESSAGE, MAX_FAULT_MS } from './faults.js';
export type { CloudFaults, DownOptions, FaultState, LatencyOptions, RefuseOptions, RestErrorOptions, SessionFilter, TransportRefusalOptions } from './faults.js';
export { LOGIN_TOKEN_TTL_MS, MAX_LOGIN_TOKENS_PER_USER } from './logins.js';
export { RECORD_LIMIT } from './records.js';
export type {
  ApiRtcCloudEventName,
  ApiRtcCloudEvents,
  ConnectionIdentity,
  DisconnectCause,
  DisconnectRecord,
  LiveSession,
  RefusalRecord,
  RefusalStage,
  RegistrationMode,
  RegistrationRecord,
  RequestRecord,
} from './records.js';
export { SOCKET_SCRIPT_PATH } from './socket-script.js';
export { CloudClosedError } from './timers.js';
export { ACCESS_TOKEN_FAILURE, ACCOUNT_NEEDED, NOT_AUTHORIZED } from './verify.js';
export {
  DEFAULT_CLOUD_PORT,
  DEV_API_KEY,
  DEV_API_SECRET,
  DEV_LOGIN,
  DEV_NICKNAME,
  DEV_PASSWORD,
  DEV_USER_ID,
} from './dev.js';
