import { randomBytes } from 'node:crypto';
import { DEFAULT_LOGIN_TOKEN_TTL_MS, type ResolvedUser } from './config.js';

/** How long a cloud token from /api/v3/authenticate stays valid by default (cloud clock; option `loginTokenTtlMs`). */
export const LOGIN_TOKEN_TTL_MS = DEFAULT_LOGIN_TOKEN_TTL_MS;

/** Cloud tokens one user holds at most; a new login drops the oldest. */
export const MAX_LOGIN_TOKENS_PER_USER = 16;

interface LoginToken {
  user: ResolvedUser;
  expiresAt: number;
}

/**
 * The opaque cloud tokens handed out by /api/v3/authenticate (what the SDK calls the user token,
 * and what a `token:` uri carries). Not the customer JWT.
 */
export class LoginTokens {
  readonly #tokens = new Map<string, LoginToken>();
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(now: () => number, ttlMs: number = LOGIN_TOKEN_TTL_MS) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  issue(user: ResolvedUser): string {
    this.#sweep();
    // Oldest first (a Map keeps insertion order): a test logging in thousands of times keeps a few, not all, for 12 h.
    const held = [...this.#tokens].filter(([, entry]) => entry.user === user);
    for (const [token] of held.slice(0, Math.max(0, held.length - MAX_LOGIN_TOKENS_PER_USER + 1))) this.#tokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { user, expiresAt: this.#now() + this.#ttlMs });
    return token;
  }

  /** The user a token belongs to, unless it is unknown, invalidated or expired. */
  userOf(token: string | undefined): ResolvedUser | undefined {
    if (token === undefined) return undefined;
    const entry = this.#tokens.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#tokens.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /** Burns a token (POST /api/v2/invalidateToken). True when it was valid. */
  invalidate(token: string | undefined): boolean {
    const valid = this.userOf(token) !== undefined;
    if (token !== undefined) this.#tokens.delete(token);
    return valid;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, entry] of this.#tokens) if (entry.expiresAt <= now) this.#tokens.delete(token);
  }
}
