/**
 * A small app built with Vite, as a user's would be: @apirtc/apirtc (1.4 MB) and the engine's runner must
 * land in chunks of their own, loaded on the first register, not in the chunk the page starts with.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProviderApp, SDK_MARKER } from '../support/vite-app.js';

/** A string only the runner holds. */
const RUNNER_MARKER = 'the socket did not reconnect';
let app: Awaited<ReturnType<typeof createProviderApp>>;
let chunks: Map<string, string>;
let entry: string;

beforeAll(async () => {
  app = await createProviderApp();
  const built = await app.build('lazy', { minify: true });
  // Keyed by file name: the entry's dynamic imports name them relative to assets/.
  chunks = new Map([...built.chunks].map(([file, code]) => [file.replace(/^assets\//, ''), code]));
  entry = (built.entry ?? '').replace(/^assets\//, '');
}, 120_000);

afterAll(async () => {
  if (app && !process.env.KEEP) await app.remove();
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
