/**
 * The development secret never lands in the browser build, and the local cloud binds loopback by default.
 *
 * The build: `vite build` with the repo's own vite.config.ts (same entries, externals and plugins; only the
 * .d.ts plugin is left out, it emits types, not browser code) into a temporary directory, in a child
 * process. Then every file the browser entries can load is scanned: `index.js` and `devtools/index.js`, the chunks they import
 * statically or dynamically, transitively, and their source maps (which embed the sources). The secret of
 * src/cloud/dev.ts and the secrets of the test configs must be in none of them. A positive control checks
 * that the cloud entry, built in the same run, does contain DEV_API_SECRET (the scan finds it when it is there).
 * (The Storybook build is scanned by its own test, owned with .storybook/.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_API_SECRET, DEV_PASSWORD, startApiRtcCloud } from '../src/cloud/index.js';
import { OTHER_SECRET, TEST_SECRET, TEST_PASSWORD } from './support/cloud.js';
import { SECRET as ENGINE_TEST_SECRET } from './support/engine.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let outDir: string;

/** Builds with vite.config.ts minus the .d.ts plugin (12 s of type emission that ships no browser code). */
const BUILD_SCRIPT = `
import { build, loadConfigFromFile } from 'vite';
const [outDir] = process.argv.slice(1);
const loaded = await loadConfigFromFile({ command: 'build', mode: 'production' }, 'vite.config.ts');
const { test: _test, plugins = [], ...config } = loaded.config;
const kept = plugins.flat(Infinity).filter((plugin) => plugin && !/dts/i.test(String(plugin.name)));
await build({ ...config, configFile: false, plugins: kept, logLevel: 'warn', build: { ...config.build, outDir, emptyOutDir: true } });
`;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'apirtc-react-auth-build-'));
  await run(process.execPath, ['--input-type=module', '-e', BUILD_SCRIPT, outDir], { cwd: root, timeout: 120_000 });
}, 150_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Relative module specifiers of a built ES module: static imports/exports and dynamic import(). */
function relativeImports(code: string): string[] {
  const found = new Set<string>();
  const patterns = [/\b(?:import|export)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g, /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1] as string);
  return [...found];
}

/** The entry and every chunk it can load, with their source maps. */
function reachableFrom(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) queue.push(resolve(dirname(file), specifier));
  }
  const withMaps = [...seen].flatMap((file) => (existsSync(`${file}.map`) ? [file, `${file}.map`] : [file]));
  return withMaps.sort();
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? allFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

const SECRETS = {
  DEV_API_SECRET,
  DEV_PASSWORD,
  'TEST_SECRET (test/support/cloud.ts)': TEST_SECRET,
  'OTHER_SECRET (test/support/cloud.ts)': OTHER_SECRET,
  'TEST_PASSWORD (test/support/cloud.ts)': TEST_PASSWORD,
  'SECRET (test/support/engine.ts)': ENGINE_TEST_SECRET,
};

describe('the browser build', () => {
  it('loads only its own chunks: not the server or cloud entries, not the SDK', () => {
    const browser = reachableFrom(join(outDir, 'index.js')).map((file) => relative(outDir, file));
    console.log(`browser build: ${browser.length} files scanned (${browser.join(', ')})`);
    expect(browser).toContain('index.js');
    // React Server Components frameworks need the directive kept at the top of the built entry.
    expect(readFileSync(join(outDir, 'index.js'), 'utf8')).toMatch(/^["']use client["'];/);
    expect(browser.some((file) => file.startsWith('runner'))).toBe(true); // the lazily loaded engine is followed
    expect(browser.filter((file) => file.startsWith('server/') || file.startsWith('cloud/'))).toEqual([]);
    for (const file of browser.filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(outDir, file), 'utf8');
      expect(code, file).not.toMatch(/from\s*["'](?:node:|socket\.io)/);
    }
  });

  it.each(Object.entries(SECRETS))('contains no %s, in any file the browser entry can load (source maps included)', (_name, secret) => {
    const browserFiles = new Set([...reachableFrom(join(outDir, 'index.js')), ...reachableFrom(join(outDir, 'devtools', 'index.js'))]);
    const hits = [...browserFiles].filter((file) => readFileSync(file, 'utf8').includes(secret));
    expect(hits.map((file) => relative(outDir, file))).toEqual([]);
  });

  it('positive control: the cloud entry of the same build does contain DEV_API_SECRET', () => {
    const cloudFiles = reachableFrom(join(outDir, 'cloud', 'index.js'));
    expect(cloudFiles.some((file) => readFileSync(file, 'utf8').includes(DEV_API_SECRET))).toBe(true);
    // and the scan covered real output: every emitted .js file belongs to some entry's closure
    const closures = new Set([...cloudFiles, ...reachableFrom(join(outDir, 'index.js')), ...reachableFrom(join(outDir, 'server', 'index.js')), ...reachableFrom(join(outDir, 'cloud', 'cli.js')), ...reachableFrom(join(outDir, 'vite', 'index.js')), ...reachableFrom(join(outDir, 'devtools', 'index.js'))]);
    const orphans = allFiles(outDir).filter((file) => file.endsWith('.js') && !closures.has(file));
    expect(orphans.map((file) => relative(outDir, file))).toEqual([]);
  });
});

describe('the local cloud binds loopback by default', () => {
  it('startApiRtcCloud() without options listens on 127.0.0.1', async () => {
    const cloud = await startApiRtcCloud();
    try {
      expect(cloud.host).toBe('127.0.0.1');
      expect(cloud.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(cloud.url).toBe(`http://127.0.0.1:${cloud.port}`);
    } finally {
      await cloud.close();
    }
  });
});
