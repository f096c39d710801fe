import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { SECRET, signToken, signTokenNow } from '../support/engine.js';
import { FakeClock } from '../support/fake-clock.js';

it('the synchronous test signer makes the same token as createApiRtcToken, with a valid signature', async () => {
  const clock = new FakeClock();
  const fromJose = await signToken(clock);
  const fromTest = signTokenNow(clock);
  const { jti: a, ...claimsJose } = decodeJwt(fromJose);
  const { jti: b, ...claimsTest } = decodeJwt(fromTest);
  expect(claimsTest).toEqual(claimsJose);
  expect(decodeProtectedHeader(fromTest)).toEqual(decodeProtectedHeader(fromJose));
  expect([typeof a, typeof b]).toEqual(['string', 'string']);
  await expect(jwtVerify(fromTest, new TextEncoder().encode(SECRET), { currentDate: new Date(clock.now()) })).resolves.toBeTruthy();
});
