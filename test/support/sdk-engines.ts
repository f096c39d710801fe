import { afterEach, beforeAll } from 'vitest';
import { SessionEngine } from '../../src/core/engine/store.js';
import type { SessionEvent } from '../../src/core/events.js';
import type { SessionEngineOptions } from '../../src/core/options.js';
import { loadApiRtc } from './apirtc-sdk.js';
import { waitForNoSessions, type CloudFixture } from './cloud.js';

/**
 * Engines on the real SDK (jsdom) against the fixture's local cloud, each unregistered after its test (faults
 * lifted first, so that a downed or refusing cloud cannot keep a session), the cloud left without sessions.
 */
export function setupSdkEngines(fixture: CloudFixture, defaults: Partial<SessionEngineOptions>) {
  const engines: SessionEngine[] = [];
  beforeAll(async () => {
    await loadApiRtc(); // the global `io` must exist before the engine's own import of the SDK registers
  });
  afterEach(async () => {
    fixture.cloud.faults.reset();
    await Promise.all(engines.splice(0).map((engine) => engine.unregister().catch(() => {})));
    await waitForNoSessions(fixture.cloud);
  });
  return function engine(options: Omit<SessionEngineOptions, 'cloudUrl'>, events: SessionEvent[] = []): SessionEngine {
    const created = new SessionEngine({ cloudUrl: fixture.cloud.url, onEvent: (event) => events.push(event), ...defaults, ...options });
    engines.push(created);
    return created;
  };
}
