/**
 * preload(): the engine's chunk and the real SDK start loading before anything registers, and nothing reaches
 * the cloud until a register. This file loads the SDK only through the engine: `window.apiRTC`, the SDK's page
 * global (docs/sdk-behaviour.md, the page layer), tells whether it was loaded.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { beforeAll, expect, it, vi } from 'vitest';
import { AuthProvider } from '../../../src/index.js';
import type { SessionEvent } from '../../../src/core/events.js';
import { SessionEngine } from '../../../src/core/engine/store.js';
import { setupLocalCloud, TEST_API_KEY, waitForNoSessions } from '../../support/cloud.js';

const fixture = setupLocalCloud();
const auth = { mode: 'apiKey', apiKey: TEST_API_KEY } as const;
const sdkLoaded = () => (window as { apiRTC?: unknown }).apiRTC !== undefined;

beforeAll(async () => {
  // The SDK's socket.io client as the SDK tests set it (test/support/apirtc-sdk.ts), without loading the SDK.
  const { io } = await import('socket.io-client');
  (globalThis as { io?: unknown }).io = io;
});

it('the provider preloads on its first render when it will register, not when autoRegister is false', () => {
  const quiet = new SessionEngine({ auth, cloudUrl: fixture.cloud.url, autoRegister: false });
  const eager = new SessionEngine({ auth, cloudUrl: fixture.cloud.url });
  const quietPreload = vi.spyOn(quiet, 'preload').mockImplementation(() => {});
  const eagerPreload = vi.spyOn(eager, 'preload').mockImplementation(() => {});
  // renderToString runs renders only, never effects: a call seen here was made by the render itself.
  renderToString(createElement(AuthProvider, { engine: quiet }));
  renderToString(createElement(AuthProvider, { engine: eager }));
  expect(quietPreload).not.toHaveBeenCalled();
  expect(eagerPreload).toHaveBeenCalledTimes(1);
});

it('preload() loads the SDK and changes nothing else: status idle, no event, nothing sent to the cloud; a register then works', async () => {
  const events: SessionEvent[] = [];
  const engine = new SessionEngine({ auth, cloudUrl: fixture.cloud.url, onEvent: (event) => events.push(event) });
  expect(sdkLoaded()).toBe(false);
  engine.preload();
  engine.preload(); // once is enough; again is harmless
  await vi.waitFor(() => expect(sdkLoaded()).toBe(true), { timeout: 20_000 });
  expect(engine.getSnapshot().status).toBe('idle');
  expect(events).toEqual([]);
  expect(fixture.cloud.registrations).toEqual([]);
  const session = await engine.register();
  expect(session.getId()).toBeTruthy();
  expect(fixture.cloud.sessions()).toHaveLength(1);
  await engine.unregister();
  await waitForNoSessions(fixture.cloud);
});
