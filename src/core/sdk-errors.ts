import { ApiRtcAuthError, isApiRtcAuthError } from './errors.js';

/** The SDK rejects with plain objects `{ code, error }`, or a real Error carrying `code` (docs/sdk-behaviour.md and the tests in test/sdk/). */
interface SdkFailure {
  code?: unknown;
  httpCode?: unknown;
  error?: unknown;
  message?: unknown;
}

function messageOf(failure: SdkFailure): string {
  const inner = failure.error;
  if (inner instanceof Error) return inner.message;
  if (typeof inner === 'string') return inner;
  return typeof failure.message === 'string' ? failure.message : String(failure.error ?? failure);
}

const AUTH_REFUSAL = /access token failure:[ \t]*([^\n]*)|not authorized|An account is needed|DISABLED_ENTERPRISE/i;
/** The cloud refuses this SDK version: the SDK gives up for good, and so do we (retrying cannot help). */
const OUTDATED_SDK = /ApiRTC update is needed/i;

/** Turns whatever register()/unregister() rejected with into our typed error, keeping the original as `cause`. */
export function fromSdkError(error: unknown): ApiRtcAuthError {
  if (isApiRtcAuthError(error)) return error;
  const failure: SdkFailure = typeof error === 'object' && error !== null ? error : { error };
  const message = messageOf(failure);
  const refusal = AUTH_REFUSAL.exec(message);
  if (refusal) {
    const reason = refusal[1]?.trim() || refusal[0];
    return new ApiRtcAuthError('UNAUTHORIZED', `the cloud refused the credentials: ${reason}`, { cause: error });
  }
  if (OUTDATED_SDK.test(message)) {
    return new ApiRtcAuthError('REGISTER_FAILED', `register() failed: the cloud refuses this SDK version (${message})`, { cause: error });
  }
  switch (failure.code) {
    case 13: {
      // ERROR_HTTP: login mode's REST calls. 401/403 is a wrong login or password; 5xx may pass.
      const status = typeof failure.httpCode === 'number' ? failure.httpCode : 0;
      if (status === 401 || status === 403) {
        return new ApiRtcAuthError('UNAUTHORIZED', 'the cloud refused the login or password', { cause: error });
      }
      return new ApiRtcAuthError('REGISTER_FAILED', `register() failed: the cloud answered HTTP ${status || 'error'}`, {
        retryable: status === 0 || status === 408 || status === 429 || status >= 500,
        cause: error,
      });
    }
    case 1:
    case 7:
      return new ApiRtcAuthError('INVALID_CONFIG', `the SDK refused the registration parameters: ${message}`, { cause: error });
    default:
      // Code 5 in apiKey mode covers network errors and HTTP errors alike (the SDK loses the status).
      return new ApiRtcAuthError('REGISTER_FAILED', `register() failed: ${message}`, { retryable: true, cause: error });
  }
}
