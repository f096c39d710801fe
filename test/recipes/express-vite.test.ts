/**
 * docs/recipes/express.md and docs/recipes/vite.md, as a reader would use them: the packed package installed
 * into a scratch app, the Express server type-checked, compiled and run, the single-page app built with Vite,
 * and the build, served by that Express server, registering in Chromium against the local cloud.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { chromium } from 'playwright';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiRtcCloud, type ApiRtcCloud } from '../../src/cloud/index.js';
import { chromiumLaunchOptions, freePort, install, packTarball, pinned, recipeFiles, run, scratchDir, shellEnv, start, writeFiles, type Started } from './support.js';

const API_KEY = 'recipe-api-key';
const SECRET = 'recipe-secret-of-the-local-cloud';

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let cloud: ApiRtcCloud;
let server: Started;
let serverUrl: string;
const spa = () => join(scratch.dir, 'spa');
const backend = () => join(scratch.dir, 'server');

beforeAll(async () => {
  cloud = await startApiRtcCloud({ port: 0, apiKeys: { [API_KEY]: SECRET } });
  scratch = await scratchDir('express-vite');
  const tarball = await packTarball(scratch.dir);
  // One install at the top; each app is a folder of its own below it (Node and Vite resolve upwards).
  await install(scratch.dir, tarball, [
    ...pinned('react', 'react-dom', '@apirtc/apirtc', 'express', 'vite', '@vitejs/plugin-react', 'typescript', '@types/express', '@types/node', '@types/react', '@types/react-dom'),
  ]);
  for (const [dir, page] of [
    [spa(), 'vite.md'],
    [backend(), 'express.md'],
  ] as const) {
    await writeFiles(dir, await recipeFiles(page));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  }
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await cloud?.close();
  await scratch?.remove();
});

it('the Express recipe type-checks and compiles', async () => {
  await run(join(scratch.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: backend() });
  expect(await readdir(join(backend(), 'build'))).toEqual(expect.arrayContaining(['server.js', 'auth.js']));
}, 120_000);

it('the Vite recipe builds, the SDK and the devtools panel out of the entry chunk, the SDK and the engine preloaded', async () => {
  await run(join(scratch.dir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], {
    cwd: spa(),
    env: shellEnv({ VITE_APIRTC_API_KEY: API_KEY, VITE_APIRTC_CLOUD_URL: cloud.url }),
  });
  const html = await readFile(join(spa(), 'dist/index.html'), 'utf8');
  const scripts = (await readdir(join(spa(), 'dist/assets'))).filter((file) => file.endsWith('.js'));
  const entry = /<script type="module" crossorigin src="\/assets\/([^"]+)"/.exec(html)?.[1];
  expect(entry).toBeDefined();
  const entryCode = await readFile(join(spa(), 'dist/assets', entry as string), 'utf8');
  expect(entryCode).not.toContain('ApiCC_Channel'); // the SDK
  expect(entryCode).not.toContain('session timeline'); // the devtools panel
  expect(entryCode).toContain(cloud.url); // cloudUrl from the environment
  expect(entryCode).not.toContain('react-stack-top-frame'); // React's production build: NODE_ENV was production
  // The head start, from the installed package: the SDK's chunk and the engine's are preloaded from the HTML.
  const preloaded = [...html.matchAll(/<link rel="modulepreload" crossorigin href="\/assets\/([^"]+)"/g)].map((match) => match[1]);
  const holding = async (marker: string) => {
    for (const file of scripts) if ((await readFile(join(spa(), 'dist/assets', file), 'utf8')).includes(marker)) return file;
    return undefined;
  };
  expect(preloaded).toContain(await holding('ApiCC_Channel'));
  expect(preloaded).toContain(await holding('could not load @apirtc/apirtc'));
}, 180_000);

it('the Express server answers tokens for the signed-in user only, whatever body parser ran', async () => {
  const port = await freePort();
  server = await start('node', ['build/server.js'], {
    cwd: backend(),
    env: { APIRTC_API_KEY: API_KEY, APIRTC_SECRET: SECRET, PORT: String(port), STATIC_DIR: join(spa(), 'dist') },
    ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
  });
  serverUrl = `http://127.0.0.1:${port}`;
  const post = (headers: Record<string, string>, body: string) => fetch(`${serverUrl}/api/apirtc-token`, { method: 'POST', headers, body });

  // What the browser sends (text/plain, which express.json() leaves alone) and a JSON body it parses first.
  for (const contentType of ['text/plain;charset=UTF-8', 'application/json']) {
    const answer = await post({ 'content-type': contentType, cookie: 'user=alice' }, JSON.stringify({ reason: 'initial' }));
    expect(answer.status).toBe(200);
    const { token, userId } = (await answer.json()) as { token: string; userId: string };
    expect(userId).toBe('alice');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { audience: 'apiRTC', subject: API_KEY });
    expect(payload.grants).toEqual({ apiRTC_UserAgent_Id: 'alice' });
  }
  expect((await post({ 'content-type': 'text/plain' }, '{"reason":"initial"}')).status).toBe(401);
}, 60_000);

it('the built app, served by the Express recipe, registers in Chromium against the local cloud', async () => {
  expect(serverUrl).toBeDefined(); // started by the test above
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'user', value: 'alice', url: serverUrl }]);
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(serverUrl);
    await page.getByTestId('status').filter({ hasText: 'registered as alice' }).waitFor({ timeout: 60_000 });
    expect(cloud.registrations.filter((record) => record.mode === 'jwt' && record.channelId === 'alice')).toHaveLength(1);
    // A production build: the devtools render nothing and their panel's chunk is never fetched.
    expect(await page.getByRole('region', { name: 'ApiRTC session devtools' }).count()).toBe(0);
    const panelChunks = (await readdir(join(spa(), 'dist/assets'))).filter((file) => file.startsWith('Panel-'));
    expect(panelChunks.length).toBe(1);
    expect(requested.filter((path) => path.includes('Panel-'))).toEqual([]);
  } finally {
    await browser.close();
  }
}, 120_000);
