/**
 * The engine's own chunk (the driver) failing to load, as after a deploy that removed the old chunk:
 * a typed error in state and in onEvent, and unregister() still brings the engine back to idle.
 */
import { expect, it, vi } from 'vitest';
import { SessionEngine } from '../../../src/core/engine/store.js';
import type { SessionEvent } from '../../../src/core/events.js';

vi.mock('../../../src/core/engine/runner.js', () => {
  throw new Error('Failed to fetch dynamically imported module: /assets/driver-old.js');
});

it('reports SDK_LOAD_FAILED in state and onEvent, and unregister() returns to idle', async () => {
  const events: SessionEvent[] = [];
  const loadSdk = vi.fn(async () => ({ UserAgent: class {} as never }));
  const engine = new SessionEngine({ auth: { mode: 'apiKey', apiKey: 'key' }, loadSdk, onEvent: (event) => events.push(event) });
  await expect(engine.register()).rejects.toMatchObject({ code: 'SDK_LOAD_FAILED', retryable: true });
  expect(engine.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'SDK_LOAD_FAILED' } });
  expect(events).toContainEqual({ type: 'error', error: expect.objectContaining({ code: 'SDK_LOAD_FAILED' }) });
  await engine.unregister();
  expect(engine.getSnapshot()).toMatchObject({ status: 'idle', error: undefined });
  // register() tries the chunk again (a failed chunk load may succeed next time).
  await expect(engine.register()).rejects.toMatchObject({ code: 'SDK_LOAD_FAILED' });
  expect(events.filter((event) => event.type === 'error')).toHaveLength(2);
});
