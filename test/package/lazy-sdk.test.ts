/**
 * A small app built with Vite, as a user's would be: @apirtc/apirtc (1.4 MB) and the engine's runner must
 * land in chunks of their own, loaded on the first register, not in the chunk the page starts with.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
/** A string only the SDK's code holds (one of its log tags). */
const SDK_MARKER = 'ApiCC_Channel';
/** A string only the runner holds. */
const RUNNER_MARKER = 'the socket did not reconnect';
let app: string;
let chunks: Map<string, string>;
let entry: string;

beforeAll(async () => {
  // Inside node_modules so that react and @apirtc/apirtc resolve from the repo, as in a user's app.
  await mkdir(join(root, 'node_modules/.cache'), { recursive: true });
  app = await mkdtemp(join(root, 'node_modules/.cache/lazy-sdk-app-'));
  await writeFile(join(app, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/main.tsx"></script>');
  await writeFile(
    join(app, 'main.tsx'),
    `import { createRoot } from 'react-dom/client';
import { AuthProvider, useApiRtcSession } from 'apirtc-react-auth';
function Status() { return <p>{useApiRtcSession((s) => s.status)}</p>; }
createRoot(document.getElementById('root')!).render(
  <AuthProvider auth={{ mode: 'apiKey', apiKey: 'key' }} cloudUrl="http://127.0.0.1:9"><Status /></AuthProvider>,
);`,
  );
  await build({
    root: app,
    configFile: false,
    logLevel: 'silent',
    plugins: [react()],
    resolve: { alias: { 'apirtc-react-auth': join(root, 'src/index.ts') } },
    build: { outDir: join(app, 'dist'), manifest: true, minify: true },
  });
  const assets = join(app, 'dist/assets');
  chunks = new Map();
  for (const file of await readdir(assets)) if (file.endsWith('.js')) chunks.set(file, await readFile(join(assets, file), 'utf8'));
  const manifest = JSON.parse(await readFile(join(app, 'dist/.vite/manifest.json'), 'utf8')) as Record<string, { file: string; isEntry?: boolean }>;
  const first = Object.values(manifest).find((chunk) => chunk.isEntry);
  entry = (first?.file ?? '').replace(/^assets\//, '');
}, 120_000);

afterAll(async () => {
  if (app && !process.env.KEEP) await rm(app, { recursive: true, force: true });
});

it('keeps the SDK out of the entry chunk, in a chunk of its own', () => {
  expect(chunks.get(entry)).toBeDefined();
  expect(chunks.get(entry)).not.toContain(SDK_MARKER);
  const holders = [...chunks].filter(([, code]) => code.includes(SDK_MARKER)).map(([file]) => file);
  expect(holders).toHaveLength(1);
  expect(holders[0]).not.toBe(entry);
});

it('keeps the engine runner out of the entry chunk too', () => {
  expect(chunks.get(entry)).not.toContain(RUNNER_MARKER);
  expect([...chunks.values()].some((code) => code.includes(RUNNER_MARKER))).toBe(true);
});

it('starts loading the SDK chunk from the entry chunk, beside the runner, not after it (no waterfall)', () => {
  const sdkChunk = [...chunks].find(([, code]) => code.includes(SDK_MARKER))?.[0] ?? '';
  const runnerChunk = [...chunks].find(([, code]) => code.includes(RUNNER_MARKER))?.[0] ?? '';
  expect(sdkChunk).not.toBe('');
  // Both dynamic imports sit in the entry chunk: the browser can fetch them in parallel.
  const imported = [...(chunks.get(entry) ?? '').matchAll(/import\(\s*["'`]\.\/([^"'`]+)["'`]/g)].map((match) => match[1]);
  expect(imported).toEqual(expect.arrayContaining([sdkChunk, runnerChunk]));
});
