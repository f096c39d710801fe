import { describe, expect, it } from 'vitest';
import { ApiRtcAuthError } from '../../src/core/errors.js';
import { fromSdkError } from '../../src/core/sdk-errors.js';

/** What login mode's REST failures look like: a real Error carrying code 13, httpCode and the cloud's answer. */
function httpError(httpCode: number | undefined, message = 'HTTP error') {
  return Object.assign(new Error(message), { code: 13, httpCode, cloudResponse: { error: 'x' } });
}

describe('fromSdkError: what the cloud refuses (UNAUTHORIZED, never retried)', () => {
  it('code 5 with the CCS refusing the token: UNAUTHORIZED with the reason in the message', () => {
    const sdk = { code: 5, error: 'Channel Connect Error : Error: access token failure: jwt expired' };
    const error = fromSdkError(sdk);
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    expect(error.message).toBe('the cloud refused the credentials: jwt expired');
    expect(error.cause).toBe(sdk);
  });

  it('the same refusal wrapped in an Error inside { code, error }', () => {
    const sdk = { code: 5, error: new Error('Channel Connect Error : Error: access token failure: invalid signature') };
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false, message: expect.stringContaining('invalid signature') });
    expect(error.cause).toBe(sdk);
  });

  it.each([
    ['jwt audience invalid. expected: apiRTC'],
    ['jwt subject invalid. expected: the apiKey'],
    ['jwt malformed'],
  ])('keeps the cloud\'s reason "%s"', (reason) => {
    const error = fromSdkError({ code: 5, error: `Channel Connect Error : Error: access token failure: ${reason}` });
    expect(error.message).toBe(`the cloud refused the credentials: ${reason}`);
  });

  it.each([
    ['not authorized', 'Channel Connect Error : Error: not authorized'],
    ['applicationUUID is not authorized', 'applicationUUID is not authorized'],
    ['An account is needed', 'Channel Connect Error : Error: An account is needed'],
    ['DISABLED_ENTERPRISE', 'DISABLED_ENTERPRISE'],
  ])('the SDK\'s other final handshake refusals (%s) are UNAUTHORIZED', (_name, message) => {
    expect(fromSdkError({ code: 5, error: message })).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
  });

  it('an empty reason after "access token failure:" still says why', () => {
    const error = fromSdkError({ code: 5, error: 'access token failure:' });
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('access token failure:');
  });

  it.each([401, 403])('code 13 with httpCode %i (wrong login or password) is UNAUTHORIZED, not retryable', (httpCode) => {
    const sdk = httpError(httpCode);
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false, message: 'the cloud refused the login or password' });
    expect(error.cause).toBe(sdk);
  });

  it('code 13 as a plain object works the same', () => {
    expect(fromSdkError({ code: 13, httpCode: 401, error: 'Unauthorized' })).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
  });
});

describe('fromSdkError: HTTP failures in login mode (code 13)', () => {
  it.each([
    [500, true],
    [502, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [404, false],
    [422, false],
  ])('httpCode %i is REGISTER_FAILED with retryable %s and the status in the message', (httpCode, retryable) => {
    const sdk = httpError(httpCode);
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable });
    expect(error.message).toContain(String(httpCode));
    expect(error.cause).toBe(sdk);
  });

  it('code 13 without an httpCode (no answer at all) is retryable', () => {
    expect(fromSdkError(httpError(undefined))).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
    expect(fromSdkError({ code: 13, httpCode: '500' })).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
  });
});

describe('fromSdkError: refused parameters', () => {
  it('code 1 (login without password) is INVALID_CONFIG, not retryable, with the SDK message', () => {
    const sdk = { code: 1, error: 'register() - password is missing' };
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false });
    expect(error.message).toContain('password is missing');
    expect(error.cause).toBe(sdk);
  });

  it('code 7 (bad uri prefix) is INVALID_CONFIG, not retryable', () => {
    const sdk = { code: 7, error: new Error('ERROR_REGISTRATION_URI_INVALID') };
    expect(fromSdkError(sdk)).toMatchObject({ code: 'INVALID_CONFIG', retryable: false, message: expect.stringContaining('URI_INVALID') });
  });
});

describe('fromSdkError: everything else may pass (REGISTER_FAILED, retryable)', () => {
  it('code 5 with "[object Object]" (apiKey mode, the HTTP cause lost) is REGISTER_FAILED, retryable', () => {
    const sdk = { code: 5, error: '[object Object]' };
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
    expect(error.message).toContain('[object Object]');
    expect(error.cause).toBe(sdk);
  });

  it('code 5 with an object as error is REGISTER_FAILED, retryable', () => {
    expect(fromSdkError({ code: 5, error: { status: 503 } })).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
  });

  it('code 6 (session already on) and code 0 (token: mode) are REGISTER_FAILED, retryable', () => {
    expect(fromSdkError({ code: 6, error: new Error('register() - Session already ON') })).toMatchObject({
      code: 'REGISTER_FAILED',
      retryable: true,
      message: 'register() failed: register() - Session already ON',
    });
    expect(fromSdkError({ code: 0, error: 'checkToken failed' })).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
  });

  it('a plain string is REGISTER_FAILED, retryable, with the string in the message and as cause', () => {
    const error = fromSdkError('socket hang up');
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable: true, message: 'register() failed: socket hang up' });
    expect(error.cause).toBe('socket hang up');
  });

  it('a plain string carrying an auth refusal is UNAUTHORIZED', () => {
    expect(fromSdkError('access token failure: jwt expired')).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('jwt expired') });
  });

  it('a plain Error without a code is REGISTER_FAILED, retryable, keeping it as cause', () => {
    const sdk = new TypeError('Failed to fetch');
    const error = fromSdkError(sdk);
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable: true, message: 'register() failed: Failed to fetch' });
    expect(error.cause).toBe(sdk);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 5],
    ['an empty object', {}],
  ])('%s does not throw: REGISTER_FAILED, retryable', (_name, value) => {
    const error = fromSdkError(value);
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
  });
});

describe('fromSdkError: our own errors', () => {
  it.each([
    new ApiRtcAuthError('REGISTER_TIMEOUT', 'register() did not settle', { retryable: true }),
    new ApiRtcAuthError('INVALID_TOKEN', 'bad token', { field: 'token' }),
    new ApiRtcAuthError('UNAUTHORIZED', 'access token failure: looks like an SDK message'),
    new ApiRtcAuthError('ABORTED', 'superseded'),
  ])('an ApiRtcAuthError ($code) passes through unchanged', (own) => {
    const before = { code: own.code, retryable: own.retryable, field: own.field, message: own.message };
    expect(fromSdkError(own)).toBe(own);
    expect({ code: own.code, retryable: own.retryable, field: own.field, message: own.message }).toEqual(before);
  });
});

describe('fromSdkError: a cloud that refuses this SDK version', () => {
  it('"ApiRTC update is needed" is final (the SDK gives up for good): REGISTER_FAILED, not retried', () => {
    const error = fromSdkError({ code: 5, error: new Error('Channel Connect Error : Error: ApiRTC update is needed') });
    expect(error).toMatchObject({ code: 'REGISTER_FAILED', retryable: false, message: expect.stringContaining('refuses this SDK version') });
  });
});
