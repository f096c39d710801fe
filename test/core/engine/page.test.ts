/**
 * One page, one ApiRTC session: the SDK's socket layer is page-wide, so a second engine of the page fails at
 * once with SESSION_CONFLICT instead of sharing (or breaking) the first one's session.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY, setupEngine } from '../../support/engine.js';

function twoOnOnePage() {
  const first = setupEngine();
  const second = setupEngine({ loadSdk: first.sdk.load, environment: first.env, auth: { mode: 'login', login: 'bob', password: 'pw' } });
  return { first, second };
}

describe('SessionEngine: one session per page', () => {
  it('a second engine with other credentials fails at once, before any network call, and leaves the first alone', async () => {
    const { first, second } = twoOnOnePage();
    const session = await first.engine.register();
    const error = await second.engine.register().catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'SESSION_CONFLICT', retryable: false });
    expect((error as Error).message).toContain(`(apiKey:${API_KEY}), so this one (apirtc:bob) cannot register`);
    expect((error as Error).message).toContain('<AuthProvider engine={engine}>');
    expect(second.engine.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'SESSION_CONFLICT' } });
    expect(first.sdk.registerCalls).toHaveLength(1);
    expect(first.engine.getSnapshot()).toMatchObject({ status: 'registered', session });
    expect(first.sdk.liveSessions).toEqual([session]);
  });

  it('the same credentials twice (a duplicated provider) is a conflict too, said as such', async () => {
    const first = setupEngine();
    const second = setupEngine({ loadSdk: first.sdk.load, environment: first.env });
    await first.engine.register();
    await expect(second.engine.register()).rejects.toThrow(`with the same credentials (apiKey:${API_KEY})`);
  });

  it('an engine that is only trying (retrying after a failure) holds the page too', async () => {
    const { first, second } = twoOnOnePage();
    first.sdk.outcomes.push({ kind: 'reject', error: { code: 5, error: new Error('[object Object]') } });
    first.engine.start();
    await first.clock.advance(0);
    expect(first.engine.getSnapshot().status).toBe('retrying');
    await expect(second.engine.register()).rejects.toMatchObject({ code: 'SESSION_CONFLICT' });
  });

  it('once the first has ended (unregister, or a failure that won\'t pass), the second registers', async () => {
    const { first, second } = twoOnOnePage();
    await first.engine.register();
    await expect(second.engine.register()).rejects.toMatchObject({ code: 'SESSION_CONFLICT' });
    await first.engine.unregister();
    const session = await second.engine.register();
    expect(first.sdk.liveSessions).toEqual([session]);
    await second.engine.unregister();
    first.sdk.outcomes.push({ kind: 'reject', error: Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 }) });
    await expect(second.engine.register()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(first.engine.register()).resolves.toBeDefined();
  });

  it('StrictMode (start, stop, start of one engine) and a remount (a new engine after the old one stopped) are no conflict', async () => {
    const { first, second } = twoOnOnePage();
    first.engine.start();
    first.engine.stop();
    first.engine.start();
    await first.clock.advance(0);
    expect(first.engine.getSnapshot().status).toBe('registered');
    first.engine.stop();
    second.engine.start();
    await second.clock.advance(0);
    expect(second.engine.getSnapshot().status).toBe('registered');
    expect(first.sdk.liveSessions).toHaveLength(1);
  });

  it('engines on different pages (frames) never conflict', async () => {
    const a = setupEngine();
    const b = setupEngine({ loadSdk: a.sdk.load });
    await a.engine.register();
    await expect(b.engine.register()).resolves.toBeDefined();
  });
});
