import { describe, expect, it } from 'vitest';
import { TOKEN_REASONS } from '../../src/core/auth.js';
import { sameValue } from '../../src/core/same-value.js';
import { validateAuth, validateTimings } from '../../src/core/validate.js';
import { ApiRtcAuthError } from '../../src/core/errors.js';

const getToken = async () => 'jwt';

function invalid(auth: unknown): ApiRtcAuthError {
  try {
    validateAuth(auth);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    return error as ApiRtcAuthError;
  }
  throw new Error(`expected validateAuth to throw for ${JSON.stringify(auth)}`);
}

describe('validateAuth: the uri per mode', () => {
  it('apiKey mode: apiKey:KEY', () => {
    expect(validateAuth({ mode: 'apiKey', apiKey: 'myKey' })).toBe('apiKey:myKey');
  });

  it('login mode: apirtc:LOGIN; the password is not in the uri', () => {
    expect(validateAuth({ mode: 'login', login: 'bob@example.com', password: 'pw 123' })).toBe('apirtc:bob@example.com');
  });

  it('jwt mode: apiKey:KEY for each of the three sources', () => {
    expect(validateAuth({ mode: 'jwt', apiKey: 'k1', userId: 'alice', token: 'a.b.c' })).toBe('apiKey:k1');
    expect(validateAuth({ mode: 'jwt', apiKey: 'k2', userId: 'alice', getToken })).toBe('apiKey:k2');
    expect(validateAuth({ mode: 'jwt', apiKey: 'k3', userId: 'alice', tokenUrl: '/api/apirtc-token' })).toBe('apiKey:k3');
    expect(validateAuth({ mode: 'jwt', apiKey: 'k4', userId: 'alice', tokenUrl: 'https://app.example/token', tokenRequestInit: { credentials: 'include' } })).toBe('apiKey:k4');
  });

  it('jwt mode: a source set to undefined does not count as a source', () => {
    expect(validateAuth({ mode: 'jwt', apiKey: 'k', userId: 'u', token: undefined, getToken, tokenUrl: undefined })).toBe('apiKey:k');
  });

  it('jwt mode: a user id may be an e-mail address (it travels in the handshake URL, so only URL-safe characters)', () => {
    expect(validateAuth({ mode: 'jwt', apiKey: 'k', userId: 'alice.smith@example.com', getToken })).toBe('apiKey:k');
    expect(() => validateAuth({ mode: 'jwt', apiKey: 'k', userId: 'team:alice smith', getToken })).toThrow(expect.objectContaining({ field: 'auth.userId' }));
  });
});

describe('validateAuth: INVALID_CONFIG naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    // the auth object itself
    ['undefined', undefined, 'auth'],
    ['null', null, 'auth'],
    ['a string', 'apiKey:k', 'auth'],
    ['a number', 42, 'auth'],
    ['no mode', { apiKey: 'k' }, 'auth.mode'],
    ['an unknown mode', { mode: 'oauth', apiKey: 'k' }, 'auth.mode'],
    ['a mode in another case', { mode: 'APIKEY', apiKey: 'k' }, 'auth.mode'],
    // apiKey mode
    ['apiKey: missing', { mode: 'apiKey' }, 'auth.apiKey'],
    ['apiKey: empty', { mode: 'apiKey', apiKey: '' }, 'auth.apiKey'],
    ['apiKey: blank', { mode: 'apiKey', apiKey: '   ' }, 'auth.apiKey'],
    ['apiKey: leading whitespace', { mode: 'apiKey', apiKey: ' k' }, 'auth.apiKey'],
    ['apiKey: trailing newline', { mode: 'apiKey', apiKey: 'k\n' }, 'auth.apiKey'],
    ['apiKey: inner space', { mode: 'apiKey', apiKey: 'my key' }, 'auth.apiKey'],
    ['apiKey: inner tab', { mode: 'apiKey', apiKey: 'my\tkey' }, 'auth.apiKey'],
    ['apiKey: a colon', { mode: 'apiKey', apiKey: 'apirtc:bob' }, 'auth.apiKey'],
    ['apiKey: a number', { mode: 'apiKey', apiKey: 123 }, 'auth.apiKey'],
    // login mode
    ['login: missing', { mode: 'login', password: 'pw' }, 'auth.login'],
    ['login: blank', { mode: 'login', login: ' ', password: 'pw' }, 'auth.login'],
    ['login: surrounding whitespace', { mode: 'login', login: 'bob ', password: 'pw' }, 'auth.login'],
    ['login: inner space', { mode: 'login', login: 'bob smith', password: 'pw' }, 'auth.login'],
    ['login: a colon', { mode: 'login', login: 'bob:x', password: 'pw' }, 'auth.login'],
    ['login: not a string', { mode: 'login', login: ['bob'], password: 'pw' }, 'auth.login'],
    ['password: missing', { mode: 'login', login: 'bob' }, 'auth.password'],
    ['password: empty', { mode: 'login', login: 'bob', password: '' }, 'auth.password'],
    ['password: a number', { mode: 'login', login: 'bob', password: 1234 }, 'auth.password'],
    // jwt mode
    ['jwt apiKey: missing', { mode: 'jwt', userId: 'u', getToken }, 'auth.apiKey'],
    ['jwt apiKey: a colon', { mode: 'jwt', apiKey: 'a:b', userId: 'u', getToken }, 'auth.apiKey'],
    ['jwt apiKey: whitespace', { mode: 'jwt', apiKey: ' k', userId: 'u', getToken }, 'auth.apiKey'],
    ['jwt userId: missing', { mode: 'jwt', apiKey: 'k', getToken }, 'auth.userId'],
    ['jwt userId: blank', { mode: 'jwt', apiKey: 'k', userId: '  ', getToken }, 'auth.userId'],
    ['jwt userId: surrounding whitespace', { mode: 'jwt', apiKey: 'k', userId: ' alice', getToken }, 'auth.userId'],
    ['jwt userId: a number', { mode: 'jwt', apiKey: 'k', userId: 7, getToken }, 'auth.userId'],
    ['jwt: no source', { mode: 'jwt', apiKey: 'k', userId: 'u' }, 'auth.token'],
    ['jwt: token and getToken', { mode: 'jwt', apiKey: 'k', userId: 'u', token: 'a.b.c', getToken }, 'auth.token'],
    ['jwt: getToken and tokenUrl', { mode: 'jwt', apiKey: 'k', userId: 'u', getToken, tokenUrl: '/t' }, 'auth.token'],
    ['jwt: token and tokenUrl', { mode: 'jwt', apiKey: 'k', userId: 'u', token: 'a.b.c', tokenUrl: '/t' }, 'auth.token'],
    ['jwt: all three sources', { mode: 'jwt', apiKey: 'k', userId: 'u', token: 'a.b.c', getToken, tokenUrl: '/t' }, 'auth.token'],
    ['jwt getToken: a string', { mode: 'jwt', apiKey: 'k', userId: 'u', getToken: 'fetchToken' }, 'auth.getToken'],
    ['jwt getToken: an object', { mode: 'jwt', apiKey: 'k', userId: 'u', getToken: { then() {} } }, 'auth.getToken'],
    ['jwt getToken: null', { mode: 'jwt', apiKey: 'k', userId: 'u', getToken: null }, 'auth.getToken'],
    ['jwt tokenUrl: empty', { mode: 'jwt', apiKey: 'k', userId: 'u', tokenUrl: '' }, 'auth.tokenUrl'],
    ['jwt tokenUrl: blank', { mode: 'jwt', apiKey: 'k', userId: 'u', tokenUrl: '   ' }, 'auth.tokenUrl'],
    ['jwt tokenUrl: surrounding whitespace', { mode: 'jwt', apiKey: 'k', userId: 'u', tokenUrl: '/token ' }, 'auth.tokenUrl'],
    ['jwt tokenUrl: inner space', { mode: 'jwt', apiKey: 'k', userId: 'u', tokenUrl: '/api/apirtc token' }, 'auth.tokenUrl'],
    ['jwt tokenUrl: not a string', { mode: 'jwt', apiKey: 'k', userId: 'u', tokenUrl: new URL('https://x.example/t') }, 'auth.tokenUrl'],
    ['jwt token: a number', { mode: 'jwt', apiKey: 'k', userId: 'u', token: 42 }, 'auth.token'],
    ['jwt token: null', { mode: 'jwt', apiKey: 'k', userId: 'u', token: null }, 'auth.token'],
  ];

  it.each(cases)('%s', (_name, auth, field) => {
    const error = invalid(auth);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field, retryable: false });
    // The message names the option (the sources error says "one of token, getToken or tokenUrl").
    expect(error.message).toContain(field.split('.').pop());
  });

  it('never puts the password or the token in the message', () => {
    const login = invalid({ mode: 'login', login: 'bad login', password: 'hunter2-secret' });
    expect(login.message).not.toContain('hunter2-secret');
    const jwt = invalid({ mode: 'jwt', apiKey: 'k', userId: 'u', token: 'eyJsecret.payload.sig', tokenUrl: '/t' });
    expect(jwt.message).not.toContain('eyJsecret');
    const badKey = invalid({ mode: 'apiKey', apiKey: 'secret key value' });
    expect(badKey.message).not.toContain('secret key value');
  });
});

describe('TOKEN_REASONS', () => {
  it('lists the five reasons and cannot be changed', () => {
    expect(TOKEN_REASONS).toEqual(['initial', 'renew', 'expired', 'refused', 'retry']);
    expect(Object.isFrozen(TOKEN_REASONS)).toBe(true);
  });
});

describe('sameValue', () => {
  it('compares primitives by value, NaN equal to NaN', () => {
    expect(sameValue(1, 1)).toBe(true);
    expect(sameValue('a', 'a')).toBe(true);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(sameValue(1, 2)).toBe(false);
    expect(sameValue(1, '1')).toBe(false);
    expect(sameValue(true, 1)).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(undefined, undefined)).toBe(true);
  });

  it('null and undefined are not objects', () => {
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue({}, null)).toBe(false);
    expect(sameValue(undefined, {})).toBe(false);
    expect(sameValue(null, [])).toBe(false);
  });

  it('compares plain objects by content, whatever the key order, and nested', () => {
    expect(sameValue({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(sameValue({ a: { b: { c: [1, { d: 2 }] } } }, { a: { b: { c: [1, { d: 2 }] } } })).toBe(true);
    expect(sameValue({ a: { b: { c: [1, { d: 2 }] } } }, { a: { b: { c: [1, { d: 3 }] } } })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameValue({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameValue({ a: 1 }, { a: '1' })).toBe(false);
  });

  it('compares arrays by content and order', () => {
    expect(sameValue([1, 2, 3], [1, 2, 3])).toBe(true);
    expect(sameValue([], [])).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue([['a'], ['b']], [['a'], ['b']])).toBe(true);
    expect(sameValue([['a'], ['b']], [['a'], ['c']])).toBe(false);
  });

  it('arrays of different lengths differ', () => {
    expect(sameValue([1, 2], [1])).toBe(false);
    expect(sameValue([1], [1, 2])).toBe(false);
    expect(sameValue([], [0])).toBe(false);
  });

  it('an array is never equal to an object, even with the same keys', () => {
    expect(sameValue([], {})).toBe(false);
    expect(sameValue({}, [])).toBe(false);
    expect(sameValue(['x'], { 0: 'x' })).toBe(false);
    expect(sameValue({ 0: 'x' }, ['x'])).toBe(false);
    expect(sameValue({ groups: ['a'] }, { groups: { 0: 'a' } })).toBe(false);
  });

  it('ignores keys whose value is undefined, on either side', () => {
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameValue({ a: undefined }, { b: undefined })).toBe(true);
    expect(sameValue({ nested: { x: undefined, y: 2 } }, { nested: { y: 2 } })).toBe(true);
    // ...but a key set to undefined is still not equal to one set to a value
    expect(sameValue({ a: undefined }, { a: null })).toBe(false);
    expect(sameValue({ a: undefined, b: 1 }, { a: 1 })).toBe(false);
  });

  it('functions always compare equal to functions (read through a latest-ref), never to anything else', () => {
    expect(sameValue(() => 1, () => 2)).toBe(true);
    expect(sameValue({ getToken: async () => 'a' }, { getToken: async () => 'b' })).toBe(true);
    expect(sameValue(() => 1, undefined)).toBe(false);
    expect(sameValue(() => 1, {})).toBe(false);
    expect(sameValue({}, () => 1)).toBe(false);
    expect(sameValue({ getToken: () => 'a' }, { getToken: 'a' })).toBe(false);
    expect(sameValue({ onEvent: () => {} }, {})).toBe(false);
  });

  it('two inline JSX-style configs with the same content are the same value', () => {
    const make = () => ({
      auth: { mode: 'jwt', apiKey: 'k', userId: 'alice', getToken: async () => 'jwt' },
      cloudUrl: 'https://cloud.apirtc.com',
      registerOptions: { groups: ['support', 'sales'], userData: { name: 'Alice', tags: ['vip'] } },
    });
    expect(sameValue(make(), make())).toBe(true);
    const changed = make();
    changed.registerOptions.groups.push('it');
    expect(sameValue(make(), changed)).toBe(false);
    const otherUser = make();
    otherUser.auth.userId = 'bob';
    expect(sameValue(make(), otherUser)).toBe(false);
  });

  it('is symmetric on a mix of cases', () => {
    const values: unknown[] = [0, 1, '', 'a', null, undefined, Number.NaN, [], [1], {}, { a: 1 }, { a: undefined }, () => 0];
    for (const a of values) for (const b of values) expect(sameValue(a, b), `${String(a)} vs ${String(b)}`).toBe(sameValue(b, a));
  });
});

describe('null options, cyclic values, header values', () => {
  it('renewal: null and retry: null mean the defaults; a non-object is INVALID_CONFIG naming the option', () => {
    const auth = { mode: 'apiKey' as const, apiKey: 'key' };
    expect(() => validateTimings({ auth, renewal: null, retry: null } as never)).not.toThrow();
    for (const field of ['renewal', 'retry'] as const) {
      expect(() => validateTimings({ auth, [field]: 'soon' } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field }));
    }
  });

  it('sameValue compares objects that hold themselves without overflowing the stack', () => {
    const a: Record<string, unknown> = { groups: ['x'] };
    const b: Record<string, unknown> = { groups: ['x'] };
    a.self = a;
    b.self = b;
    expect(sameValue(a, b)).toBe(true);
    b.groups = ['y'];
    expect(sameValue(a, b)).toBe(false);
  });

  it('a header fetch would refuse is INVALID_CONFIG before any request, without the value in the message', () => {
    const error = invalid({ mode: 'jwt', apiKey: 'key', userId: 'alice', tokenUrl: '/t', tokenRequestInit: { headers: { authorization: 'Bearer app-secret-123\nx' } } });
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'auth.tokenRequestInit.headers' });
    expect(error.message).not.toContain('app-secret-123');
  });
});
