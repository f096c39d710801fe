import { describe, expect, test } from 'vitest';
import { startApiRtcCloud, type ApiRtcCloudOptions } from '../../src/cloud/index.js';
import { resolveCloudConfig } from '../../src/cloud/config.js';
import { LocalCloudConfigError } from '../../src/cloud/errors.js';

function configError(options: unknown): LocalCloudConfigError {
  try {
    resolveCloudConfig(options as ApiRtcCloudOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(LocalCloudConfigError);
    return error as LocalCloudConfigError;
  }
  throw new Error('the config was accepted');
}

const key = { k: 'secret' };

describe('cloud config validation: INVALID_CONFIG naming the field', () => {
  test.each<[string, unknown, string]>([
    ['options that are not an object', 'nope', 'options'],
    ['an empty apiKey', { apiKeys: { '': 's' } }, 'apiKeys'],
    ['an apiKey with ":"', { apiKeys: { 'a:b': 's' } }, 'apiKeys'],
    ['an apiKey with whitespace', { apiKeys: { 'a b': 's' } }, 'apiKeys'],
    ['an empty secret', { apiKeys: { k: '' } }, 'apiKeys["k"]'],
    ['a secret that is not a string', { apiKeys: { k: 42 } }, 'apiKeys["k"]'],
    ['no apiKey at all', { apiKeys: {} }, 'apiKeys'],
    ['apiKeys that are an array', { apiKeys: ['k'] }, 'apiKeys'],
    ['a port out of range', { apiKeys: key, port: 70000 }, 'port'],
    ['a negative port', { apiKeys: key, port: -1 }, 'port'],
    ['a fractional port', { apiKeys: key, port: 80.5 }, 'port'],
    ['a port given as a string', { apiKeys: key, port: '3010' }, 'port'],
    ['a host that is not loopback', { apiKeys: key, host: '0.0.0.0' }, 'host'],
    ['an empty host', { apiKeys: key, host: '' }, 'host'],
    ['users that are not an array', { apiKeys: key, users: {} }, 'users'],
    ['a user that is not an object', { apiKeys: key, users: ['alice'] }, 'users[0]'],
    ['a user without login', { apiKeys: key, users: [{ password: 'p' }] }, 'users[0].login'],
    ['a login with ":"', { apiKeys: key, users: [{ login: 'a:b', password: 'p' }] }, 'users[0].login'],
    ['a login with whitespace', { apiKeys: key, users: [{ login: 'a b', password: 'p' }] }, 'users[0].login'],
    ['a user without password', { apiKeys: key, users: [{ login: 'a' }] }, 'users[0].password'],
    ['an empty password', { apiKeys: key, users: [{ login: 'a', password: '' }] }, 'users[0].password'],
    ['duplicate logins', { apiKeys: key, users: [{ login: 'a', password: 'p' }, { login: 'a', password: 'q' }] }, 'users[1].login'],
    ['a user id unsafe in a URL', { apiKeys: key, users: [{ login: 'a', password: 'p', userId: 'a&b' }] }, 'users[0].userId'],
    [
      'duplicate user ids',
      { apiKeys: key, users: [{ login: 'a', password: 'p', userId: '7' }, { login: 'b', password: 'p', userId: '7' }] },
      'users[1].userId',
    ],
    ['a user of an unknown apiKey', { apiKeys: key, users: [{ login: 'a', password: 'p', apiKey: 'other' }] }, 'users[0].apiKey'],
    ['an empty nickname', { apiKeys: key, users: [{ login: 'a', password: 'p', nickname: ' ' }] }, 'users[0].nickname'],
    ['a clock that is not a function', { apiKeys: key, now: 5 }, 'now'],
    ['apiKey settings without a secret', { apiKeys: { k: { authRequired: true } } }, 'apiKeys["k"].secret'],
    ['authRequired that is not a boolean', { apiKeys: { k: { secret: 's', authRequired: 'yes' } } }, 'apiKeys["k"].authRequired'],
    ['secure that is not a boolean', { apiKeys: { k: { secret: 's', secure: 1 } } }, 'apiKeys["k"].secure'],
    ['a zero maxTokenLifetime', { apiKeys: { k: { secret: 's', maxTokenLifetime: 0 } } }, 'apiKeys["k"].maxTokenLifetime'],
    ['an infinite maxTokenLifetime', { apiKeys: { k: { secret: 's', maxTokenLifetime: Infinity } } }, 'apiKeys["k"].maxTokenLifetime'],
    ['a negative loginTokenTtlMs', { apiKeys: key, loginTokenTtlMs: -1 }, 'loginTokenTtlMs'],
    ['an invalidateUnknownToken that is no 401 or 200', { apiKeys: key, invalidateUnknownToken: 404 }, 'invalidateUnknownToken'],
  ])('%s', (_name, options, field) => {
    const error = configError(options);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field.replace(/\[\d+\].*/, ''));
  });

  test('startApiRtcCloud rejects bad config before listening', async () => {
    await expect(startApiRtcCloud({ apiKeys: { 'bad key': 's' } })).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'apiKeys' });
  });
});

describe('cloud config defaults', () => {
  test('users belong to the first apiKey; ids default to 7-digit numbers that skip explicit ones', () => {
    const config = resolveCloudConfig({
      apiKeys: { first: 's1', second: 's2' },
      users: [
        { login: 'a@x.test', password: 'p' },
        { login: 'b', password: 'p', userId: '1000001' },
        { login: 'c', password: 'p', apiKey: 'second', nickname: 'Cee' },
      ],
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(0);
    expect(config.users).toEqual([
      { login: 'a@x.test', password: 'p', userId: '1000002', nickname: 'a@x.test', apiKey: 'first', enterpriseId: '1', mail: 'a@x.test' },
      { login: 'b', password: 'p', userId: '1000001', nickname: 'b', apiKey: 'first', enterpriseId: '1', mail: undefined },
      { login: 'c', password: 'p', userId: '1000003', nickname: 'Cee', apiKey: 'second', enterpriseId: '2', mail: undefined },
    ]);
  });

  test('apiKeys without users means no login user; no options means the development cloud', () => {
    expect(resolveCloudConfig({ apiKeys: key }).users).toEqual([]);
    const dev = resolveCloudConfig();
    expect([...dev.apiKeys.keys()]).toEqual(['local-dev-api-key']);
    expect(dev.users.map((user) => user.login)).toEqual(['dev@local.test']);
    expect(dev.now).toBe(Date.now);
  });

  test('per apiKey: a secret string, or settings; defaults: no auth required, 24 h lifetime, not secure', () => {
    const config = resolveCloudConfig({ apiKeys: { plain: 's', strict: { secret: 't', authRequired: true, maxTokenLifetime: 600, secure: true }, open: { secret: 'u', maxTokenLifetime: false } } });
    expect(Object.fromEntries(config.apiKeys)).toEqual({
      plain: { secret: 's', enterpriseId: '1', authRequired: false, maxTokenLifetime: 86_400, secure: false },
      strict: { secret: 't', enterpriseId: '2', authRequired: true, maxTokenLifetime: 600, secure: true },
      open: { secret: 'u', enterpriseId: '3', authRequired: false, maxTokenLifetime: undefined, secure: false },
    });
    expect(config.loginTokenTtlMs).toBe(12 * 3600 * 1000);
    expect(config.invalidateUnknownToken).toBe(401);
  });
});
