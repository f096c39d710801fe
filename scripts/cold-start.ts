/**
 * How long a newcomer waits, after `npm start`, until the first demo shows `registered`.
 *
 * Each run clears every cache a fresh clone does not have (Storybook's cache, Vite's pre-bundle and its
 * temporary config files), runs `npm start` on a free loopback port, opens the first demo in headless
 * Chromium as soon as the port answers, and reads the demo's status badge inside the preview frame. A warm
 * run follows each cold one (a second `npm start`, caches kept). Then it prints, per configuration, the
 * median of the runs: time from the spawn to the port answering, to the preview's first module, to the story
 * rendered (the badge is in the DOM) and to `registered`; the server's CPU time (all its processes); the
 * script time of the page's main thread, which Storybook's manager and its preview frame share (Chromium's
 * `ScriptDuration`); the requests and bytes the preview frame made; the load average at start and end.
 *
 *   npx tsx scripts/cold-start.ts [--runs 3] [--before REV] [--after REV] [--floor] [--config-dir DIR[,DIR]]
 *                                 [--story ID] [--log] [--trace] [--profile DIR]
 *
 * `--before REV` also measures the `.storybook/` directory and the `start` script of a git revision (copied
 * to `.storybook-<rev>/` for the run, removed after), its runs alternating with the working tree's so that
 * both see the same load; `--after REV` measures a revision instead of the working tree (which can then
 * change meanwhile). `--floor` also measures Storybook alone: a generated configuration (`.storybook-floor/`,
 * removed after) that is `.storybook/main.ts` without its addons, its `viteFinal` and its stories, with one
 * story of the same id that renders the badge `registered` at once: what any Storybook costs on this machine.
 * `--config-dir DIR[,DIR]` also measures other configuration directories, with the working tree's `start` script.
 * `--log` prints the server's output of each run, `--trace` the requests of the page and
 * of its preview frame in order; `--profile DIR` writes a CPU profile of the server per run into DIR (for
 * Chrome's DevTools or speedscope). The environment (e.g. `DEBUG=vite:*`) reaches the server.
 * A measurement, not a test: `npm test` never runs it. It deletes those caches, Vitest's among them: run it
 * when no Vitest or Storybook of the same checkout is running.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { chromium, type Browser, type Request } from 'playwright';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
function option(name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}
const runs = Number(option('--runs') ?? 3);
const before = option('--before');
const after = option('--after');
const story = option('--story') ?? 'demos-anonymous-apikey--registered';
const printLog = args.includes('--log');
const trace = args.includes('--trace');
const profileDir = option('--profile');
const floor = args.includes('--floor');
const configDirs = option('--config-dir')?.split(',').filter(Boolean) ?? [];
const TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${option('--runs')}`);

/** Every cache a fresh clone lacks: Storybook's (its Vite pre-bundle lives there) and Vite's own. */
async function clearCaches(): Promise<void> {
  await rm(join(root, 'node_modules/.cache/storybook'), { recursive: true, force: true });
  await rm(join(root, 'node_modules/.cache/sb-vite-plugin-externals'), { recursive: true, force: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry.startsWith('.vite')) await rm(join(root, 'node_modules', entry), { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** CPU time (user + system, ms) of every live process in a process group; Linux only, else undefined. */
function groupCpuMs(pgid: number): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[2]) === pgid) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function waitForPort(url: string, deadline: number, server: ChildProcess): Promise<void> {
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before ${url} answered`);
    try {
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((next) => setTimeout(next, 50));
  }
  throw new Error(`${url} did not answer within ${TIMEOUT_MS} ms`);
}

interface Variant {
  name: string;
  /** The command line, as npm would run it (node_modules/.bin on PATH). */
  command: (port: number) => string;
  setUp?: () => Promise<void>;
  tearDown?: () => Promise<void>;
}

interface Sample {
  variant: string;
  cache: 'cold' | 'warm';
  portMs: number;
  firstModuleMs: number;
  renderedMs: number;
  registeredMs: number;
  serverCpuMs: number | undefined;
  pageScriptMs: number;
  requests: number;
  kilobytes: number;
  loadStart: number;
  loadEnd: number;
  reloads: number;
}

/** SIGINT to the whole group (npm, its shell, Storybook, esbuild), as Ctrl-C does; SIGKILL if it lingers. */
async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null || !server.pid) return;
  const exited = new Promise<void>((done) => server.once('exit', () => done()));
  process.kill(-server.pid, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), STOP_TIMEOUT_MS)));
  if ((await Promise.race([exited, late])) === 'late') {
    console.warn(`the server did not stop within ${STOP_TIMEOUT_MS} ms of SIGINT: SIGKILL`);
    process.kill(-server.pid, 'SIGKILL');
    await exited;
  }
  clearTimeout(timer);
  // Anything of the group still alive (a grandchild that ignored the signal) goes too.
  try {
    process.kill(-server.pid, 0);
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

async function measure(browser: Browser, variant: Variant, cache: 'cold' | 'warm'): Promise<Sample> {
  if (cache === 'cold') await clearCaches();
  const port = await freePort();
  const loadStart = loadavg()[0] ?? 0;
  const output: string[] = [];
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const server = spawn('sh', ['-c', variant.command(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` },
  });
  server.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const context = await browser.newContext();
  const browserErrors: string[] = [];
  try {
    const deadline = Date.now() + TIMEOUT_MS;
    const base = `http://127.0.0.1:${port}`;
    await waitForPort(base, deadline, server);
    const portMs = since();
    const page = await context.newPage();
    const inPreview = (request: Request) => {
      try {
        return request.frame().url().includes('/iframe.html');
      } catch {
        return false;
      }
    };
    let firstModuleMs: number | undefined;
    let reloads = 0;
    const finished: Promise<number>[] = [];
    const traced: { path: string; at: number; ms: number; bytes: Promise<number> }[] = [];
    const sent = new Map<Request, number>();
    page.on('request', (request) => sent.set(request, since()));
    page.on('requestfinished', (request) => {
      if (!inPreview(request)) {
        const at = sent.get(request) ?? 0;
        if (trace) traced.push({ path: `[manager] ${request.url().replace(base, '')}`, at, ms: since() - at, bytes: Promise.resolve(0) });
        return;
      }
      if (firstModuleMs === undefined && request.resourceType() === 'script') firstModuleMs = since();
      const bytes = request.sizes().then((sizes) => sizes.responseBodySize + sizes.responseHeadersSize, () => 0);
      finished.push(bytes);
      const at = sent.get(request) ?? 0;
      if (trace) traced.push({ path: request.url().replace(base, ''), at, ms: since() - at, bytes });
    });
    // Vite's client (only the preview frame has one) says so once per load: any further one is a reload.
    page.on('console', (message) => {
      if (message.text().includes('[vite] connected')) reloads += 1;
      if (message.type() === 'error') browserErrors.push(message.text());
    });
    page.on('pageerror', (error) => browserErrors.push(String(error)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${base}/?path=/story/${story}`, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    const status = page.frameLocator('#storybook-preview-iframe').getByTestId('status');
    await status.waitFor({ timeout: TIMEOUT_MS });
    const renderedMs = since();
    await status.filter({ hasText: /^registered$/ }).waitFor({ timeout: TIMEOUT_MS });
    const registeredMs = since();
    const serverCpuMs = server.pid ? groupCpuMs(server.pid) : undefined;
    const { metrics } = await cdp.send('Performance.getMetrics');
    const pageScriptMs = Math.round((metrics.find((metric) => metric.name === 'ScriptDuration')?.value ?? Number.NaN) * 1000);
    const bytes = (await Promise.all(finished)).reduce((sum, size) => sum + size, 0);
    if (trace) {
      const rows = await Promise.all(traced.map(async (entry) => ({ ...entry, kib: Math.round((await entry.bytes) / 1024) })));
      console.log(`${variant.name}, ${cache}: the preview's requests in order (sent at, took, KiB)`);
      for (const row of rows.sort((a, b) => a.at - b.at)) console.log(`  ${String(row.at).padStart(6)} ${String(row.ms).padStart(6)} ms ${String(row.kib).padStart(6)}  ${row.path.slice(0, 150)}`);
    }
    return {
      variant: variant.name,
      cache,
      portMs,
      firstModuleMs: firstModuleMs ?? Number.NaN,
      renderedMs,
      registeredMs,
      serverCpuMs,
      pageScriptMs,
      requests: finished.length,
      kilobytes: Math.round(bytes / 1024),
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
      // The first navigation of the frame is its load; each further one is a reload.
      reloads: Math.max(0, reloads - 1),
    };
  } catch (error) {
    console.error(output.join('').slice(-4000));
    console.error(`the browser's errors:\n${browserErrors.join('\n').slice(-4000)}`);
    throw error;
  } finally {
    await context.close();
    await stop(server);
    if (printLog) console.log(`--- ${variant.name}, ${cache}: server output\n${output.join('')}`);
  }
}

/**
 * `--profile DIR`: the Storybook server runs under `node --cpu-prof` (Node refuses it in NODE_OPTIONS), so the
 * `start` script is run by the shell, as npm would, with `storybook` replaced.
 */
function profiled(start: string): string {
  if (!profileDir) return start;
  if (!start.startsWith('storybook ')) throw new Error(`--profile expects a start script that runs storybook, got: ${start}`);
  const cli = join(root, 'node_modules/storybook/dist/bin/dispatcher.js');
  return `node --cpu-prof --cpu-prof-dir=${resolve(profileDir)} ${cli} ${start.slice('storybook '.length)}`;
}

/** The `.storybook/` directory and the `start` script of a revision, beside the working tree's. */
function revisionVariant(revision: string, label: string): Variant {
  const short = execFileSync('git', ['rev-parse', '--short', revision], { cwd: root, encoding: 'utf8' }).trim();
  // Same depth as .storybook/, so that its relative paths (../stories, ../src) resolve alike.
  const configDir = join(root, `.storybook-${short}`);
  const packageJson = JSON.parse(execFileSync('git', ['show', `${short}:package.json`], { cwd: root, encoding: 'utf8' })) as { scripts: Record<string, string> };
  const start = packageJson.scripts.start;
  if (!start) throw new Error(`${revision} has no start script`);
  return {
    name: `${label} (${short})`,
    command: (port) => launch(start, `--port ${port} --config-dir ${configDir}`),
    async setUp() {
      await rm(configDir, { recursive: true, force: true });
      await mkdir(configDir);
      const files = execFileSync('git', ['ls-tree', '--name-only', short, '.storybook/'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
      for (const file of files) {
        await writeFile(join(configDir, file.slice('.storybook/'.length)), execFileSync('git', ['show', `${short}:${file}`], { cwd: root }));
      }
    },
    async tearDown() {
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** A configuration directory as it is, started with the working tree's `start` script. */
function configDirVariant(dir: string): Variant {
  const configDir = resolve(root, dir);
  if (!existsSync(join(configDir, 'main.ts'))) throw new Error(`--config-dir ${dir}: no main.ts there`);
  return { name: dir, command: (port) => launch(undefined, `--port ${port} --config-dir ${configDir}`) };
}

/**
 * Storybook alone, as this repository configures it (`.storybook/main.ts` itself: its Vite config, its
 * features), without what the demos add: no addons, no `viteFinal` (the local services, the pre-bundled SDK),
 * one story whose badge says `registered` as it renders. The same story id, so that the same URL opens it.
 */
function floorVariant(): Variant {
  const configDir = join(root, '.storybook-floor');
  if (story !== 'demos-anonymous-apikey--registered') throw new Error('--floor measures the default story only');
  const main = [
    "import type { StorybookConfig } from '@storybook/react-vite';",
    "import demos from '../.storybook/main.js';",
    "const config: StorybookConfig = { ...demos, stories: ['./Floor.stories.tsx'], addons: [], viteFinal: undefined };",
    'export default config;',
  ].join('\n');
  const stories = [
    "import type { Meta, StoryObj } from '@storybook/react-vite';",
    "export default { title: 'Demos/Anonymous (apiKey)', render: () => <span data-testid=\"status\">registered</span> } satisfies Meta;",
    'export const Registered: StoryObj = {};',
  ].join('\n');
  return {
    name: 'Storybook alone',
    command: (port) => launch(undefined, `--port ${port} --config-dir ${configDir}`),
    async setUp() {
      await rm(configDir, { recursive: true, force: true });
      await mkdir(configDir);
      await writeFile(join(configDir, 'main.ts'), `${main}\n`);
      await writeFile(join(configDir, 'Floor.stories.tsx'), `${stories}\n`);
    },
    async tearDown() {
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * The command line of a variant, each through npm as a newcomer's `npm start` is (npm's own start is part of
 * the wait, and the same for every variant): the working tree's `start` script with `npm start`, a revision's
 * with `npm exec`. With `--profile`, Storybook under `node --cpu-prof` instead, without npm, for all of them.
 */
function launch(start: string | undefined, extra: string): string {
  if (profileDir) return `${profiled(start ?? startScript())} ${extra}`;
  return start === undefined ? `npm start -- ${extra}` : `npm exec -- ${start} ${extra}`;
}

function startScript(): string {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  if (!scripts.start) throw new Error('package.json has no start script');
  return scripts.start;
}

const variants: Variant[] = [
  ...(floor ? [floorVariant()] : []),
  ...configDirs.map(configDirVariant),
  ...(before ? [revisionVariant(before, 'before')] : []),
  after ? revisionVariant(after, 'after') : {
    name: 'working tree',
    command: (port) => launch(undefined, `--port ${port}`),
  },
];
if (before && after && revisionVariant(before, '').name === revisionVariant(after, '').name) throw new Error('--before and --after name the same revision');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] ?? Number.NaN : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({
  ...(executablePath ? { executablePath } : {}),
  // As the story tests start it (vite.config.ts).
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  ],
});
const samples: Sample[] = [];
try {
  for (const variant of variants) await variant.setUp?.();
  for (let run = 1; run <= runs; run += 1) {
    for (const variant of run % 2 ? variants : [...variants].reverse()) {
      for (const cache of ['cold', 'warm'] as const) {
        const sample = await measure(browser, variant, cache);
        samples.push(sample);
        console.log(JSON.stringify({ run, ...sample }));
      }
    }
  }
} finally {
  await browser.close();
  for (const variant of variants) await variant.tearDown?.();
  // Leave the caches of the working tree's configuration, as a second `npm start` would find them.
}

const columns = ['configuration', 'cache', 'port', 'first module', 'rendered', 'registered', 'server CPU', 'page script', 'requests', 'KiB', 'load start-end'];
const rows = variants.flatMap((variant) =>
  (['cold', 'warm'] as const).map((cache) => {
    const mine = samples.filter((sample) => sample.variant === variant.name && sample.cache === cache);
    const ms = (pick: (sample: Sample) => number | undefined) => `${(median(mine.map((sample) => pick(sample) ?? Number.NaN)) / 1000).toFixed(1)} s`;
    const range = (pick: (sample: Sample) => number) => `${Math.min(...mine.map(pick)).toFixed(1)}-${Math.max(...mine.map(pick)).toFixed(1)}`;
    return [
      variant.name,
      cache,
      ms((sample) => sample.portMs),
      ms((sample) => sample.firstModuleMs),
      ms((sample) => sample.renderedMs),
      ms((sample) => sample.registeredMs),
      ms((sample) => sample.serverCpuMs),
      ms((sample) => sample.pageScriptMs),
      String(median(mine.map((sample) => sample.requests))),
      String(median(mine.map((sample) => sample.kilobytes))),
      `${range((sample) => sample.loadStart)} / ${range((sample) => sample.loadEnd)}`,
    ];
  }),
);
const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => row[index]?.length ?? 0)));
const line = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(' | ')} |`;
console.log(`\nMedians of ${runs} run(s) each, story ${story}; times from the spawn of the server.`);
console.log(line(columns));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const row of rows) console.log(line(row));
const totalReloads = samples.reduce((sum, sample) => sum + sample.reloads, 0);
if (totalReloads) console.log(`The preview reloaded ${totalReloads} time(s) over all runs (a dependency Vite found late).`);
