/**
 * The development secret never lands in the demos' static build: the stories get URLs from the local
 * services, and the token endpoint that holds the secret runs Node-side only. Builds Storybook into a
 * temporary directory and scans every emitted file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEV_API_SECRET } from '../src/cloud/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let outDir: string;
let files: string[];

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? allFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'apirtc-react-auth-storybook-'));
  await run(join(root, 'node_modules/.bin/storybook'), ['build', '--quiet', '--disable-telemetry', '-o', outDir], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 1 << 26,
  });
  files = allFiles(outDir);
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

it('contains no development secret in any file of the static Storybook build', () => {
  expect(files.length).toBeGreaterThan(10);
  const hits = files.filter((file) => readFileSync(file).includes(DEV_API_SECRET));
  expect(hits.map((file) => relative(outDir, file))).toEqual([]);
});

it('positive control: the scan reads the stories themselves (a story title is found)', () => {
  expect(files.some((file) => readFileSync(file).includes('Demos/JWT renewal'))).toBe(true);
});
