/**
 * Helpers of the recipe tests: the files of a recipe are the titled code blocks of its page under
 * docs/recipes/ (one source: what a reader copies is what is built), installed next to the packed package
 * in a scratch app outside the repository, from npm's cache where the repo's own install put them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

/**
 * The environment a reader's shell would have: this process's, less what Vitest sets (NODE_ENV=test would
 * make `vite build` and `next build` produce development bundles), plus `extra`.
 */
export function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name === 'NODE_ENV' || name.startsWith('VITEST') || name === 'TEST') delete env[name];
  return { ...env, ...extra };
}

/** `name@version` at the version this repository is tested with. */
export function pinned(...names: string[]): string[] {
  return names.map((name) => {
    const version = pkg.devDependencies[name];
    if (!version) throw new Error(`${name} is not a devDependency of the repository`);
    return `${name}@${version}`;
  });
}

/** The code blocks of a recipe page that carry a file name: ```ts title="app/page.tsx"```. */
export async function recipeFiles(page: string): Promise<Map<string, string>> {
  const markdown = await readFile(join(root, 'docs/recipes', page), 'utf8');
  const files = new Map<string, string>();
  for (const match of markdown.matchAll(/^```\w*\s+title="([^"]+)"\n([\s\S]*?)^```$/gm)) {
    const [, path, content] = match;
    if (!path || content === undefined) continue;
    if (files.has(path)) throw new Error(`${page} has two blocks for ${path}`);
    files.set(path, content);
  }
  return files;
}

export async function writeFiles(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A scratch folder outside the repository (no lockfile or node_modules of ours above it). */
export async function scratchDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `apirtc-recipe-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `npm pack` of the built package into `dir`; builds dist/ first when it is missing (`npm test` builds it). */
export async function packTarball(dir: string): Promise<string> {
  if (!existsSync(join(root, 'dist/index.js'))) await run('npm', ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 1 << 24 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string }>;
  if (!packed) throw new Error('npm pack printed no file');
  return join(dir, packed.filename);
}

/** Installs the tarball and `deps` into `dir` (a package.json is written first), from npm's cache when it can. */
export async function install(dir: string, tarball: string, deps: string[]): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'recipe-app', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...deps], { cwd: dir, maxBuffer: 1 << 24 });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a long-running command and resolves once its output matches `ready` (rejects if it exits first). */
export function start(command: string, args: string[], options: { cwd: string; env?: Record<string, string>; ready: RegExp }): Promise<Started> {
  const child = spawn(command, args, { cwd: options.cwd, env: shellEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return done();
      child.once('exit', () => done());
      process.kill(-child.pid, 'SIGTERM');
    });
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.ready.test(output)) done({ child, output: () => output, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Debian's Chromium when it is there (no browser download), else Playwright's own. */
export const chromiumLaunchOptions = {
  ...(process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium') ? { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } : {}),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
