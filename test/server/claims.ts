import { expect } from 'vitest';

/** A random uuid v4, as `crypto.randomUUID()` makes it: every token's `jti`. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Exactly the claims ApiRTC documents for a customer JWT (for `toEqual`): nothing more, nothing less. */
export function vendorClaims(apiKey: string, grant: string, iat: number, lifetime: number): Record<string, unknown> {
  return { grants: { apiRTC_UserAgent_Id: grant }, sub: apiKey, aud: 'apiRTC', iat, exp: iat + lifetime, jti: expect.stringMatching(UUID) };
}
