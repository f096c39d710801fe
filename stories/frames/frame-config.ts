/**
 * The two-user demo's frames: what each user's frame is told, and its page. Shared by the story that holds the
 * frames (stories/TwoUsers.stories.tsx), the code that runs inside them (./user-frame.tsx) and the dev-server
 * middleware that serves their page (.storybook/local-services.ts). Plain TypeScript: no DOM, no Node.
 */

/** Where the dev server (Storybook's under `npm start`, Vitest's in the story tests) serves a user's page. */
export const USER_FRAME_PATH = '/demo-frames/user.html';

/** Everything a frame needs to register its user: URLs and public values only, never a secret. */
export interface UserFrameConfig {
  userId: string;
  apiKey: string;
  cloudUrl: string;
  /** The demo route that signs a token for `{ userId, expiresIn }` (POST JSON, answers `{ token }`). */
  tokenApiUrl: string;
  tokenLifetimeSeconds: number;
  /** `<AuthProvider renewal>`; null for the default. */
  renewal: { deferWhileInConversation: boolean; leadMs: number; jitter: number } | null;
  /** A conversation the page can join (a "join" button); null for none. */
  conversation: string | null;
  /** The presence group both users join and subscribe to: one per demo, so no other page's users show up. */
  group: string;
  /** Passed to `register()`: how long the SDK waits before it reports a contact offline. */
  contactDisconnectionDelay: number;
  /** Shows the "renew" button. */
  canRenew: boolean;
}

/** The frame's address: its page, told its user in the query (reloading the frame keeps it). */
export function userFrameUrl(config: UserFrameConfig): string {
  return `${USER_FRAME_PATH}?${new URLSearchParams({ config: JSON.stringify(config) }).toString()}`;
}

/** Reads what `userFrameUrl` wrote; throws a TypeError naming what is missing or wrong. */
export function readUserFrameConfig(search: string): UserFrameConfig {
  const text = new URLSearchParams(search).get('config');
  if (text === null) throw new TypeError(`the frame's address has no config: open it through the two-user demo`);
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new TypeError('the frame config is not an object');
  const config = value as Record<string, unknown>;
  for (const key of ['userId', 'apiKey', 'cloudUrl', 'tokenApiUrl', 'group'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new TypeError(`the frame config's ${key} must be a non-empty string`);
  }
  if (typeof config.contactDisconnectionDelay !== 'number' || !(config.contactDisconnectionDelay >= 0)) {
    throw new TypeError("the frame config's contactDisconnectionDelay must be a number of ms, 0 or more");
  }
  if (typeof config.canRenew !== 'boolean') throw new TypeError("the frame config's canRenew must be a boolean");
  if (typeof config.tokenLifetimeSeconds !== 'number') throw new TypeError("the frame config's tokenLifetimeSeconds must be a number of seconds");
  if (config.conversation !== null && typeof config.conversation !== 'string') throw new TypeError("the frame config's conversation must be a name or null");
  if (config.renewal !== null && typeof config.renewal !== 'object') throw new TypeError("the frame config's renewal must be renewal options or null");
  return config as unknown as UserFrameConfig;
}

/**
 * Runs before the frame's modules:
 * - Vitest's browser mode rewrites every `import()` of the modules it serves into
 *   `__vitest_browser_runner__.wrapDynamicImport(() => import(...))`, a global its own test page defines and a
 *   frame does not have. Vitest gives its web workers this same stand-in (it runs the import as it is).
 *   Under Storybook nothing reads it.
 * - A page that fails to start (a module that does not load or throws) says so, rather than staying blank.
 */
const FRAME_BOOTSTRAP = [
  'globalThis.__vitest_browser_runner__ ??= { wrapDynamicImport: (load) => load() };',
  'addEventListener("error", (event) => {',
  '  if (document.getElementById("root").hasChildNodes()) return;',
  '  const what = event instanceof ErrorEvent ? event.message : "could not load " + (event.target.src || event.target.href);',
  '  document.body.append(Object.assign(document.createElement("p"), { role: "alert", textContent: "This page failed: " + what }));',
  '}, true);',
].join('\n');

/**
 * A user's page. A page of its own (its own window, module graph and SDK) at an http address of the dev
 * server: the SDK picks its socket's scheme from `location.protocol`, so an `about:srcdoc` frame would make it
 * connect with https to the local cloud's http port. `entryUrl`: ./user-frame.tsx as the dev server serves it.
 */
export function userFramePage(entryUrl: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Two-user demo: one user</title></head>',
    '<body style="margin:0">',
    '<div id="root"></div>',
    `<script>${FRAME_BOOTSTRAP}</script>`,
    '<script type="module">',
    `import { mountUserFrame } from ${JSON.stringify(entryUrl).replace(/</g, '\\u003c')};`,
    "mountUserFrame(document.getElementById('root'), location.search);",
    '</script>',
    '</body>',
    '</html>',
  ].join('\n');
}
