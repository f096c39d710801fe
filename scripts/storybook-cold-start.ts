/**
 * How long `npm start` takes, on a cold start, until the first demo shows `registered`.
 *
 * Clears Storybook's caches (its Vite pre-bundle included), starts `storybook dev` on a free loopback port,
 * opens the Storybook page at the first demo in headless Chromium, and reads the status badge inside the
 * preview frame. Prints the time from the spawn to: the server answering, the badge first showing, and
 * `registered`; plus how many times Vite reloaded the preview because it found a dependency late.
 *
 *   npx tsx scripts/storybook-cold-start.ts [--warm] [--story demos-anonymous-apikey--registered]
 *
 * `--warm` keeps the caches (a second `npm start`). A measurement, not a test: `npm test` never runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const warm = args.includes('--warm');
const trace = args.includes('--trace');
const story = args[args.indexOf('--story') + 1] && args.includes('--story') ? args[args.indexOf('--story') + 1] : 'demos-anonymous-apikey--registered';
const TIMEOUT_MS = 180_000;

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

/**
 * CPU time the Storybook server used so far (user + system, Linux only): unlike wall time, it hardly moves
 * with what else the machine runs, so it compares two configurations on a busy machine.
 */
function serverCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

async function waitForHttp(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((next) => setTimeout(next, 100));
  }
  throw new Error(`${url} did not answer within ${TIMEOUT_MS} ms`);
}

if (!warm) {
  await rm(join(root, 'node_modules/.cache/storybook'), { recursive: true, force: true });
  await rm(join(root, 'node_modules/.vite'), { recursive: true, force: true });
}

const port = await freePort();
const started = performance.now();
const since = () => Math.round(performance.now() - started);
// `--profile DIR`: a CPU profile of the Storybook server (written when it stops), for chrome://inspect or speedscope.
const profileDir = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
const storybook = spawn(
  process.execPath,
  [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(root, 'node_modules/storybook/dist/bin/dispatcher.js'), 'dev', '--port', String(port), '--host', '127.0.0.1', '--no-open', '--no-version-updates', '--disable-telemetry', '--ci'],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
);
let reloads = 0;
const output: string[] = [];
const onOutput = (chunk: Buffer) => {
  const text = chunk.toString();
  output.push(text);
  reloads += (text.match(/optimized dependencies changed\. reloading|new dependencies optimized/g) ?? []).length;
};
storybook.stdout.on('data', onOutput);
storybook.stderr.on('data', onOutput);

const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({
  ...(executablePath ? { executablePath } : {}),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const deadline = Date.now() + TIMEOUT_MS;
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/index.json`, deadline);
  const serverUp = since();
  const page = await browser.newPage();
  const requests: { url: string; start: number; end?: number }[] = [];
  if (trace) {
    page.on('request', (request) => requests.push({ url: request.url(), start: since() }));
    page.on('requestfinished', (request) => {
      const entry = requests.find((candidate) => candidate.url === request.url() && candidate.end === undefined);
      if (entry) entry.end = since();
    });
  }
  page.on('console', (message) => {
    if (/optimized dependencies changed|new dependencies optimized/.test(message.text())) reloads += 1;
  });
  await page.goto(`${base}/?path=/story/${story}`, { waitUntil: 'commit', timeout: TIMEOUT_MS });
  const status = page.frameLocator('#storybook-preview-iframe').getByTestId('status');
  await status.waitFor({ timeout: TIMEOUT_MS });
  const badge = since();
  await status.filter({ hasText: /^registered$/ }).waitFor({ timeout: TIMEOUT_MS });
  const registered = since();
  const cpuMs = serverCpuMs(storybook.pid);
  if (trace) {
    const slowest = requests.map((r) => ({ ms: (r.end ?? registered) - r.start, at: r.start, url: r.url.replace(base, '') })).sort((a, b) => b.ms - a.ms);
    for (const line of output.join('').split('\n')) if (/optimiz|dependenc|reload/i.test(line)) console.log(`  server: ${line.trim()}`);
    console.log(`${requests.length} requests; the slowest:`);
    for (const r of slowest.slice(0, 25)) console.log(`  ${String(r.ms).padStart(6)} ms  at ${String(r.at).padStart(6)}  ${r.url.slice(0, 140)}`);
  }
  console.log(JSON.stringify({ cache: warm ? 'warm' : 'cold', story, serverUpMs: serverUp, badgeMs: badge, registeredMs: registered, pageToRegisteredMs: registered - serverUp, viteReloads: reloads, serverCpuMs: cpuMs, loadAverage: loadavg()[0]?.toFixed(1) }));
} catch (error) {
  console.error(output.join('').slice(-4000));
  throw error;
} finally {
  await browser.close();
  if (storybook.pid) process.kill(-storybook.pid, 'SIGTERM');
}
