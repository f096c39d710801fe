/**
 * docs/recipes/nextjs.md as a reader would use it: the packed package installed into a scratch Next.js App
 * Router app, built with `next build` (type-checked, server components and the route handler compiled),
 * served with `next start`, and registering in Chromium against the local cloud.
 */
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
let server: Started | undefined;

const nextEnv = () =>
  shellEnv({
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_PUBLIC_APIRTC_API_KEY: API_KEY,
    NEXT_PUBLIC_APIRTC_CLOUD_URL: cloud.url,
    APIRTC_API_KEY: API_KEY,
    APIRTC_SECRET: SECRET,
  });

beforeAll(async () => {
  cloud = await startApiRtcCloud({ port: 0, apiKeys: { [API_KEY]: SECRET } });
  scratch = await scratchDir('nextjs');
  const tarball = await packTarball(scratch.dir);
  await install(scratch.dir, tarball, pinned('next', 'react', 'react-dom', '@apirtc/apirtc', 'typescript', '@types/node', '@types/react', '@types/react-dom'));
  await writeFiles(scratch.dir, await recipeFiles('nextjs.md'));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await cloud?.close();
  await scratch?.remove();
});

it('builds with next build, serves the page and the token endpoint, and registers in Chromium', async () => {
  await run(join(scratch.dir, 'node_modules/.bin/next'), ['build'], { cwd: scratch.dir, env: nextEnv(), maxBuffer: 1 << 24 });

  const port = await freePort();
  server = await start(join(scratch.dir, 'node_modules/.bin/next'), ['start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: scratch.dir,
    env: nextEnv() as Record<string, string>,
    ready: /Ready in|started server/i,
  });
  const url = `http://127.0.0.1:${port}`;

  // Server-side rendering: the provider renders its children with status idle and loads no SDK.
  const html = await (await fetch(url, { headers: { cookie: 'user=alice' } })).text();
  expect(html).toMatch(/data-testid="status"[^>]*>idle</);
  expect(await (await fetch(url)).text()).toContain('Sign in first.');

  // The route handler: a token for the signed-in user only.
  const post = (headers: Record<string, string>) => fetch(`${url}/api/apirtc-token`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: '{"reason":"initial"}' });
  const answer = await post({ cookie: 'user=alice' });
  expect(answer.status).toBe(200);
  const { token } = (await answer.json()) as { token: string };
  const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { audience: 'apiRTC', subject: API_KEY });
  expect(payload.grants).toEqual({ apiRTC_UserAgent_Id: 'alice' });
  expect((await post({})).status).toBe(401);

  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'user', value: 'alice', url }]);
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('status').filter({ hasText: 'registered as alice' }).waitFor({ timeout: 60_000 });
    expect(cloud.registrations.filter((record) => record.mode === 'jwt' && record.channelId === 'alice')).toHaveLength(1);
    // A production build: no devtools.
    expect(await page.getByRole('region', { name: 'ApiRTC session devtools' }).count()).toBe(0);
  } finally {
    await browser.close();
  }
}, 600_000);
