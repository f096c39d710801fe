/**
 * `apirtc-react-auth/server`: sign ApiRTC customer JWTs and serve them from a token endpoint.
 * Node (or any server runtime with WebCrypto and fetch) only: the secret must never reach a browser.
 */
export {
  APIKEY_WIDE_USER_ID,
  createApiRtcToken,
  DEFAULT_EXPIRES_IN,
  DEFAULT_MAX_EXPIRES_IN,
  type ApiKeyWideTokenOptions,
  type ApiRtcTokenSettings,
  type CreateApiRtcTokenOptions,
  type TokenScope,
} from './token.js';
export {
  createTokenHandler,
  toNodeHandler,
  MAX_TOKEN_REQUEST_BODY_BYTES,
  TOKEN_REQUEST_REASONS,
  type Authorize,
  type AuthorizedApiKey,
  type AuthorizeContext,
  type AuthorizedUser,
  type AuthorizeResult,
  type FetchHandler,
  type NodeHandler,
  type NodeRequestContext,
  type TokenErrorBody,
  type TokenHandler,
  type TokenHandlerOptions,
  type TokenRequestReason,
  type TokenResponseBody,
} from './handler.js';
export { ApiRtcAuthError, isApiRtcAuthError, type ApiRtcAuthErrorCode } from '../core/errors.js';
export { APIRTC_AUDIENCE, USER_ID_GRANT } from '../core/jwt.js';
