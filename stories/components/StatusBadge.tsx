import type { SessionStatus } from '../../src/index.js';

export function StatusBadge({ status }: { status: SessionStatus }) {
  return (
    <span role="status" aria-label="session status" data-testid="status" className={`status status-${status}`}>
      {status}
    </span>
  );
}
