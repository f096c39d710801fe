/**
 * Vitest globalSetup of the 'storybook' project: starts the demos' local services for the story
 * tests on 127.0.0.1 and hands their URLs to the browser with `provide` (the stories read them
 * through `virtual:apirtc-demo-services`, which calls `inject`). The cloud answers CORS for the
 * test page's origin by itself; the small server here does the same for the token endpoint.
 * The live cloud is never enabled in tests, whatever the environment says.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import type { DemoServices } from '../stories/support/types.js';
import { startDemoServices } from './demo-services.js';
import { DEMO_SERVICES_KEY } from './local-services.js';
import { answerPreflight, applyCors, isPreflight } from '../src/cloud/cors.js';

declare module 'vitest' {
  export interface ProvidedContext {
    [DEMO_SERVICES_KEY]: DemoServices;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startDemoServices({ live: null });
  const server = createServer((req, res) => {
    // The test page is served by Vitest from another port: the cloud's own CORS policy (reflect the origin).
    applyCors(req, res);
    if (isPreflight(req)) return answerPreflight(req, res);
    services.middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  project.provide(DEMO_SERVICES_KEY, services.browserConfig(`http://127.0.0.1:${port}`, 'vitest'));

  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await services.close();
  };
}
