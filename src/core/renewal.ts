/** When to re-register with a fresh token, given when the current one expires on the local clock. */
export interface RenewalOptions {
  /**
   * How long before expiry to renew, in ms, or a function of the token's lifetime (a 1 h token renews 5 to 7.5
   * minutes early by default, a 20 s token 4 to 6 seconds early).
   *
   * @defaultValue a fifth of the lifetime, at most 5 minutes
   * @example
   * ```ts
   * renewal={{ leadMs: (lifetime) => Math.min(lifetime / 3, 10 * 60_000) }}
   * ```
   */
  leadMs?: number | ((lifetimeMs: number) => number);
  /**
   * Extra random lead, as a share of the lead (0 to 1), so clients that got tokens together don't renew together.
   *
   * @defaultValue `0.5`
   */
  jitter?: number;
  /**
   * Wait while the session has active conversations (a re-register leaves them), checking every 5 s, up to a hard
   * deadline shortly before expiry (an expired token cannot survive a reconnect).
   *
   * @defaultValue `false`
   */
  deferWhileInConversation?: boolean;
}

export const MAX_DEFAULT_LEAD_MS = 5 * 60_000;
/** Deferred renewals still happen this long before expiry (or the lead, if shorter). */
export const HARD_DEADLINE_MS = 15_000;

export function defaultLeadMs(lifetimeMs: number): number {
  return Math.min(lifetimeMs / 5, MAX_DEFAULT_LEAD_MS);
}

export function leadFor(options: RenewalOptions, lifetimeMs: number): number {
  const lead = typeof options.leadMs === 'function' ? options.leadMs(lifetimeMs) : (options.leadMs ?? defaultLeadMs(lifetimeMs));
  return Number.isFinite(lead) && lead > 0 ? lead : defaultLeadMs(lifetimeMs);
}

/**
 * The renewal time: `lead` plus up to `jitter * lead` before expiry, but never sooner than halfway
 * to expiry, so a source that hands out short-lived tokens cannot make the engine renew in a loop.
 */
export function planRenewal(options: RenewalOptions, expiresAt: number, now: number, random: () => number): number {
  const lifetime = Math.max(0, expiresAt - now);
  const lead = leadFor(options, lifetime);
  const jitter = options.jitter === undefined || Number.isNaN(options.jitter) ? 0.5 : Math.min(1, Math.max(0, options.jitter));
  const renewAt = expiresAt - lead - jitter * lead * random();
  return Math.round(Math.max(renewAt, now + lifetime / 2));
}

/** The latest a deferred renewal may wait. */
export function hardDeadline(options: RenewalOptions, expiresAt: number, lifetimeMs: number): number {
  // A register() that outlasted the token leaves a negative lifetime: the deadline is then expiry itself, never after.
  return expiresAt - Math.max(0, Math.min(HARD_DEADLINE_MS, leadFor(options, Math.max(0, lifetimeMs))));
}
