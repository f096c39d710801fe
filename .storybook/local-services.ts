/**
 * A Vite plugin that makes `npm start` one command: Storybook's dev server starts the local ApiRTC
 * clouds with it, serves the token endpoint on its own origin, and closes the clouds when it closes.
 *
 * The stories import `virtual:apirtc-demo-services` to learn the URLs:
 * - Storybook dev server: the services this plugin started (same origin for the token endpoint);
 * - Vitest (the story tests): the services the globalSetup started, handed over with `inject`;
 * - static build (`storybook build`): null, and the stories say to run `npm start`.
 * No secret is ever part of that module.
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ViteDevServer } from 'vite';
import { USER_FRAME_PATH, userFramePage } from '../stories/frames/frame-config.js';
import type { StartedDemoServices } from './demo-services.js';

export const DEMO_SERVICES_MODULE = 'virtual:apirtc-demo-services';
/** The key the globalSetup provides the services under. */
export const DEMO_SERVICES_KEY = 'apirtcDemoServices';
const RESOLVED_ID = `\0${DEMO_SERVICES_MODULE}`;

type Mode = 'storybook' | 'vitest' | 'build';

const USER_FRAME_ENTRY = fileURLToPath(new URL('../stories/frames/user-frame.tsx', import.meta.url));

/**
 * The two-user demo's frame page (USER_FRAME_PATH), in both dev servers: Storybook's has its iframe.html, but
 * Vitest's (the story tests) has none. Its module script imports the frame's entry by the URL this server
 * serves the file at.
 */
function serveUserFramePage(server: ViteDevServer): void {
  const { root, base } = server.config;
  const inRoot = relative(root, USER_FRAME_ENTRY);
  const prefix = base.startsWith('/') ? base.replace(/\/?$/, '/') : '/';
  const entryUrl = inRoot.startsWith('..') ? `/@fs${USER_FRAME_ENTRY}` : `${prefix}${inRoot.split(sep).join('/')}`;
  const page = userFramePage(entryUrl);
  server.middlewares.use((req, res, next) => {
    if (new URL(req.url ?? '/', 'http://demo.local').pathname !== USER_FRAME_PATH) return next();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  });
}

export function localServices(): Plugin {
  let mode: Mode = 'build';
  /**
   * The services, once started. They start beside the rest of Storybook's start, not before it listens: loading
   * them (the local cloud, socket.io, jose) took a few hundred milliseconds of the server's one thread, and nothing
   * needs them until the preview asks for its first module.
   */
  let started: Promise<StartedDemoServices> | undefined;

  const close = async () => {
    const running = started;
    started = undefined;
    await (await running?.catch(() => undefined))?.close();
  };

  return {
    name: 'apirtc-demo-local-services',
    config(_config, env) {
      mode = process.env.VITEST ? 'vitest' : env.command === 'serve' ? 'storybook' : 'build';
    },
    resolveId(id) {
      return id === DEMO_SERVICES_MODULE ? RESOLVED_ID : undefined;
    },
    async load(id) {
      if (id !== RESOLVED_ID) return undefined;
      if (mode === 'vitest') {
        return `import { inject } from 'vitest';\nexport default inject(${JSON.stringify(DEMO_SERVICES_KEY)}) ?? null;\n`;
      }
      const config = started ? (await started).browserConfig('', 'storybook') : null;
      return `export default ${JSON.stringify(config)};\n`;
    },
    configureServer(server) {
      if (mode === 'build') return;
      serveUserFramePage(server);
      if (mode !== 'storybook') return;
      const starting = import('./demo-services.js').then(({ liveCloudFromEnv, startDemoServices }) => startDemoServices({ live: liveCloudFromEnv() }));
      started = starting;
      // Same origin as the stories: the browser's fetch needs no CORS, as in a real app. A request that comes
      // before the services are up waits for them; if they failed to start, it gets their error.
      server.middlewares.use((req, res, next) => {
        starting.then((services) => services.middleware(req, res, next)).catch(next);
      });
      server.httpServer?.once('close', () => void close());
      starting.then(
        (services) => {
          const live = services.browserConfig('', 'storybook').live;
          console.log(
            [
              '',
              'apirtc-react-auth demos: local services started (127.0.0.1 only)',
              `  local ApiRTC cloud         ${services.cloud.url}`,
              `  faults demos' cloud        ${services.faultsCloud.url}`,
              '  token endpoint             POST /api/apirtc-token on the Storybook server (20 s demo tokens)',
              `  live cloud (cloud.apirtc)  ${live ? `${live.cloudUrl}, ${live.auth} mode` : 'off (set STORYBOOK_APIRTC_API_KEY to enable it)'}`,
              '',
            ].join('\n'),
          );
        },
        (error: unknown) => {
          // The demos cannot work without them: say why and stop, as a failed start did before it listened.
          console.error('apirtc-react-auth demos: the local services did not start:', error);
          process.exit(1);
        },
      );
    },
    // Vite calls this when the dev server closes (and at the end of a build, where there is nothing to close).
    async closeBundle() {
      await close();
    },
  };
}
