import type { ApiRtcAuthError } from '../../src/index.js';

/** An ApiRtcAuthError as an app would show it: branch on `code`, show `message`. */
export function ErrorBox({ error }: { error: ApiRtcAuthError }) {
  return (
    <div role="alert" data-testid="error" className="error-box">
      <code data-testid="error-code">{error.code}</code> <span data-testid="error-message">{error.message}</span>
      <div className="note">
        retryable: {error.retryable ? 'yes (the engine retries by itself)' : 'no (not retried: register() tries again; a failed renewal keeps the current session)'}
        {error.field ? `, field: ${error.field}` : ''}
      </div>
    </div>
  );
}
