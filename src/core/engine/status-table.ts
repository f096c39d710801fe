import type { SessionStatus } from '../state.js';

/**
 * The README's status table, "goes to" column, as data: where each status can go next. From every status the
 * engine can also go to `idle` (`unregister()`, unmount) and to `registering` (a new configuration). The
 * transition tests check that transition() makes exactly these moves; the property test checks every run
 * against it.
 */
export const STATUS_GOES_TO: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  idle: ['registering'],
  registering: ['registered', 'retrying', 'error'],
  registered: ['renewing', 'reconnecting'],
  reconnecting: ['registered', 'renewing', 'registering'],
  renewing: ['registered', 'reconnecting', 'retrying', 'error'],
  retrying: ['registering'],
  error: ['registering'],
};

/** Whether the published status may go from `from` to `to`. */
export function canGoTo(from: SessionStatus, to: SessionStatus): boolean {
  return from === to || to === 'idle' || to === 'registering' || STATUS_GOES_TO[from].includes(to);
}
