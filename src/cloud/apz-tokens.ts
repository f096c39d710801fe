import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** The audience of the cloud's own session tokens (JWTApzToken): never a customer token. */
export const APZ_TOKEN_AUDIENCE = 'apiRTC-cloud-session';

/** How long a JWTApzToken lives by default: 12 h (the SDK asks for a new one every 11 h). */
export const DEFAULT_APZ_TOKEN_TTL_MS = 12 * 3600 * 1000;

/** Who an apz token was issued to. */
export interface ApzHolder {
  apiKey: string;
  channelId: string;
  /** The cloud session id (the `sessionId` message) the token belongs to. */
  sessionId: string;
}

/** What a bearer token on a REST call turned out to be. */
export type BearerKind = 'none' | 'apz' | 'stale-apz' | 'other';

/**
 * The cloud-issued session tokens (`JWTApzToken`, what `session.getApzToken()` returns). Signed with a key
 * only this cloud process knows, so no customer secret can forge one. A token is live while its session
 * is connected and it has not expired on the cloud clock; after that it is stale.
 */
export class ApzTokens {
  readonly #key = new Uint8Array(randomBytes(32));
  readonly #now: () => number;
  readonly #ttlMs: number;
  /** jti -> session id, for the tokens of live sessions. */
  readonly #live = new Map<string, string>();

  constructor(now: () => number, ttlMs = DEFAULT_APZ_TOKEN_TTL_MS) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  async issue(holder: ApzHolder): Promise<string> {
    const iat = Math.floor(this.#now() / 1000);
    const jti = randomUUID();
    const token = await new SignJWT({ apiKey: holder.apiKey, sessionId: holder.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(holder.channelId)
      .setAudience(APZ_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + Math.ceil(this.#ttlMs / 1000))
      .setJti(jti)
      .sign(this.#key);
    this.#live.set(jti, holder.sessionId);
    return token;
  }

  /** Ends every token of a session (its socket closed). */
  endSession(sessionId: string): void {
    for (const [jti, owner] of this.#live) if (owner === sessionId) this.#live.delete(jti);
  }

  /** The holder of a live token, or undefined (not ours, expired, or its session has ended). */
  async holderOf(token: string | undefined): Promise<ApzHolder | undefined> {
    return (await this.#read(token)).holder;
  }

  /** What a bearer token is: none, a live apz token, a stale one (ours, but expired or its session gone), or other. */
  async classify(token: string | undefined): Promise<BearerKind> {
    if (token === undefined) return 'none';
    const { holder, ours } = await this.#read(token);
    if (holder) return 'apz';
    return ours ? 'stale-apz' : 'other';
  }

  async #read(token: string | undefined): Promise<{ holder: ApzHolder | undefined; ours: boolean }> {
    if (token === undefined) return { holder: undefined, ours: false };
    try {
      // Signature and audience first (expiry aside): is it ours at all?
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], audience: APZ_TOKEN_AUDIENCE, currentDate: new Date(0) });
      const { sub, apiKey, sessionId, jti, exp } = payload;
      if (typeof sub !== 'string' || typeof apiKey !== 'string' || typeof sessionId !== 'string' || typeof jti !== 'string') return { holder: undefined, ours: true };
      const live = this.#live.get(jti) === sessionId && typeof exp === 'number' && exp * 1000 > this.#now();
      return { holder: live ? { apiKey, channelId: sub, sessionId } : undefined, ours: true };
    } catch {
      return { holder: undefined, ours: false };
    }
  }
}
