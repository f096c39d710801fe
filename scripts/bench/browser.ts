/**
 * Parts (g) and (h): a cold page load to `registered`, and the renewal blackout, in headless Chromium, against
 * the local cloud, with and without network emulation. The pages (scripts/bench/pages) are built with Vite
 * into a temporary directory, the engine from src/ (whatever is there when the bench runs):
 *
 *   a  <AuthProvider> in JWT mode with `tokenUrl`
 *   b  the bare SDK, the naive way: import('@apirtc/apirtc'), then fetch the token, then register
 *   c  the bare SDK, the careful way: the token fetched while the SDK loads, then register
 *   d  page a, built with the head-start plugin (`apirtc-react-auth/vite`)
 *
 * Each run has its own browser context (empty cache, no connection to reuse, fresh sessionStorage); the
 * variants alternate (a, b, c, d, a, b, ...). Time = the page's `performance.now()` when the session is
 * registered, i.e. from the navigation's start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright';
import { build } from 'vite';
import { startApiRtcCloud, type ApiRtcCloud } from '../../src/cloud/index.js';
import { apiRtcHeadStart } from '../../src/vite/index.js';
import { startBenchServer } from './browser-server.js';
import { BENCH_API_KEY, BENCH_SECRET } from './dom.js';
import { ms, ratio, spread, type Row } from './format.js';
import type { RenewalTiming } from './pages/page-support.js';
import { ratioOfMedians, summarize, type Summary } from './stats.js';

const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));

export type Variant = 'a' | 'b' | 'c' | 'd';
const VARIANTS: readonly Variant[] = ['a', 'b', 'c', 'd'];
const PAGE_OF: Record<Variant, string> = { a: 'provider', b: 'bare-serial', c: 'bare-parallel', d: 'provider' };
const LABEL: Record<Variant, string> = {
  a: '`<AuthProvider>` with `tokenUrl`',
  b: 'bare SDK: import, then token',
  c: 'bare SDK: import and token in parallel',
  d: '`<AuthProvider>` + head start (`apirtc-react-auth/vite`)',
};

/** A network profile: CDP `Network.emulateNetworkConditions` for every request of the page, or none. */
export interface Profile {
  id: '4g' | 'loopback';
  label: string;
  conditions?: { latency: number; downloadThroughput: number; uploadThroughput: number };
}
export const PROFILES: readonly Profile[] = [
  { id: '4g', label: '4G-like (100 ms latency, 1.5 MB/s down, 750 KB/s up)', conditions: { latency: 100, downloadThroughput: 1_500_000, uploadThroughput: 750_000 } },
  { id: 'loopback', label: 'loopback (no emulation)' },
];

/** The app's token endpoint takes this long before it signs. */
const TOKEN_DELAY_MS = 50;
const RUN_TIMEOUT_MS = 30_000;

/**
 * The story tests' Chromium flags (vite.config.ts): no background networking (the closed network), timers on
 * time in every tab.
 */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserTuning {
  /** Cold loads per variant, per profile. */
  coldRuns: Record<Profile['id'], number>;
  /** Contexts per kind (provider, bare) for the renewal part, per profile, and renewals in each. */
  renewalContexts: Record<Profile['id'], number>;
  renewalsPerContext: number;
}

export interface BrowserResults {
  rows: Row[];
  details: string[];
  failures: string[];
  wallMs: number;
}

/** One network request (or WebSocket) as CDP saw it, in ms since the navigation started. */
interface NetEntry {
  url: string;
  kind: string;
  start: number;
  /** Response headers received (WebSocket: handshake answered). */
  response?: number;
  end?: number;
  bytes?: number;
  /** WebSocket: when the socket.io `connect` packet (`40`) came back. */
  connected?: number;
}

interface ColdSample {
  variant: Variant;
  profile: Profile['id'];
  registered: number;
  network: NetEntry[];
  /** What the page marked: the engine's events (provider pages) and the main thread's long tasks. */
  events: { type: string; t: number }[];
  longTasks: { start: number; duration: number }[];
}

// ---- building and serving ----

/**
 * Production builds, as an app ships them. NODE_ENV is forced for the build: the DOM parts run Vitest in this
 * process first, which sets it to `test`, and Vite would then bundle React's development build.
 */
async function buildPages(outRoot: string): Promise<Record<string, string>> {
  const sites: Record<string, string> = {};
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    for (const variant of VARIANTS) {
      const outDir = join(outRoot, variant);
      await build({
        root: PAGES,
        base: `/${variant}/`,
        mode: 'production',
        configFile: false,
        logLevel: 'error',
        plugins: [react(), ...(variant === 'd' ? [apiRtcHeadStart()] : [])],
        // The pages import the package's source; the alias tells the head-start plugin where the package is.
        resolve: { alias: { 'apirtc-react-auth': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } },
        build: { outDir, emptyOutDir: true, target: 'es2022', rolldownOptions: { input: join(PAGES, `${PAGE_OF[variant]}.html`) } },
      });
      sites[`/${variant}/`] = outDir;
    }
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return sites;
}

// ---- driving Chromium ----

interface Run {
  context: BrowserContext;
  page: Page;
  network: NetEntry[];
}

/** A new context and page with the profile's emulation, recording the page's network through CDP. */
async function openRun(browser: Browser, profile: Profile): Promise<Run> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const network = recordNetwork(cdp);
  await cdp.send('Network.enable');
  if (profile.conditions) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.conditions });
  return { context, page, network: network.entries };
}

/**
 * Collects requests and WebSockets from CDP's Network domain. CDP stamps events with a monotonic clock in
 * seconds; the document request's `wallTime` ties it to the page's time origin (`performance.timeOrigin`),
 * which `network.align()` applies once the page is up.
 */
function recordNetwork(cdp: CDPSession): { entries: NetEntry[] } {
  const entries: NetEntry[] = [];
  const byId = new Map<string, NetEntry>();
  let zero: { timestamp: number; wallTime: number } | undefined;
  const at = (timestamp: number) => (zero ? (timestamp - zero.timestamp) * 1000 + zero.wallTime * 1000 : NaN);
  cdp.on('Network.requestWillBeSent', (event) => {
    zero ??= { timestamp: event.timestamp, wallTime: event.wallTime };
    const entry: NetEntry = { url: event.request.url, kind: event.type ?? 'Other', start: at(event.timestamp) };
    byId.set(event.requestId, entry);
    entries.push(entry);
  });
  cdp.on('Network.responseReceived', (event) => {
    const entry = byId.get(event.requestId);
    if (entry) entry.response = at(event.timestamp);
  });
  cdp.on('Network.loadingFinished', (event) => {
    const entry = byId.get(event.requestId);
    if (entry) {
      entry.end = at(event.timestamp);
      entry.bytes = event.encodedDataLength;
    }
  });
  cdp.on('Network.webSocketWillSendHandshakeRequest', (event) => {
    const entry: NetEntry = { url: byId.get(event.requestId)?.url ?? 'websocket', kind: 'WebSocket', start: at(event.timestamp) };
    byId.set(event.requestId, entry);
    entries.push(entry);
  });
  cdp.on('Network.webSocketCreated', (event) => {
    if (!byId.has(event.requestId)) byId.set(event.requestId, { url: event.url, kind: 'WebSocket', start: NaN });
  });
  cdp.on('Network.webSocketHandshakeResponseReceived', (event) => {
    const entry = byId.get(event.requestId);
    if (entry) entry.response = at(event.timestamp);
  });
  cdp.on('Network.webSocketFrameReceived', (event) => {
    const entry = byId.get(event.requestId);
    if (entry && entry.connected === undefined && event.response.payloadData.startsWith('40')) entry.connected = at(event.timestamp);
  });
  return { entries };
}

/** Waits for the page's `registered` mark (or its error); returns the mark, ms since navigation start. */
async function waitRegistered(page: Page): Promise<number> {
  await page.waitForFunction(() => window.__bench?.registered !== undefined || window.__bench?.error !== undefined, undefined, { timeout: RUN_TIMEOUT_MS });
  const result = await page.evaluate(() => ({ registered: window.__bench.registered, error: window.__bench.error }));
  if (result.error !== undefined || result.registered === undefined) throw new Error(result.error ?? 'no registered mark');
  return result.registered;
}

/** The network entries in ms since the page's time origin (CDP's wall clock read against the page's). */
async function alignNetwork(page: Page, network: NetEntry[]): Promise<NetEntry[]> {
  const timeOrigin = await page.evaluate(() => performance.timeOrigin);
  const shift = (value: number | undefined) => (value === undefined ? undefined : value - timeOrigin);
  return network.map((entry) => ({
    ...entry,
    start: entry.start - timeOrigin,
    response: shift(entry.response),
    end: shift(entry.end),
    connected: shift(entry.connected),
  }));
}

/**
 * After a run: the cloud's sockets of that page are gone before the next one starts. Closing the context
 * closes its WebSocket; a session the cloud still holds a quarter of a second later (a socket.io polling transport
 * only times out) is dropped by the cloud. Returns whether one had to be.
 */
async function cloudIdle(cloud: ApiRtcCloud, timeoutMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let dropped = false;
  while (cloud.sessions().length > 0) {
    if (Date.now() > deadline && !dropped) {
      cloud.faults.drop();
      dropped = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return dropped;
}

const verbose = process.env.BENCH_VERBOSE ? (line: string) => console.error(line) : () => {};

// ---- the runs ----

export async function runBrowserParts(parts: { cold: boolean; renewal: boolean }, tuning: BrowserTuning): Promise<BrowserResults> {
  const started = performance.now();
  const failures: string[] = [];
  const outRoot = await mkdtemp(join(tmpdir(), 'apirtc-bench-pages-'));
  let browser: Browser | undefined;
  const cloud = await startApiRtcCloud({ port: 0, apiKeys: { [BENCH_API_KEY]: BENCH_SECRET } });
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  const cold: ColdSample[] = [];
  const renewals: { kind: 'provider' | 'bare'; profile: Profile['id']; timing: RenewalTiming }[] = [];
  let buildMs: number | undefined;
  let runCount = 0;
  let dropped = 0;
  try {
    const buildStart = performance.now();
    const sites = await buildPages(outRoot);
    buildMs = performance.now() - buildStart;
    server = await startBenchServer({ sites, apiKey: BENCH_API_KEY, secret: BENCH_SECRET, tokenDelayMs: TOKEN_DELAY_MS });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    browserVersion = browser.version();
    const pageUrl = (variant: Variant, user: string) =>
      `${server?.url}/${variant}/${PAGE_OF[variant]}.html?${new URLSearchParams({ cloud: cloud.url, key: BENCH_API_KEY, user })}`;

    const attempt = async <T>(what: string, body: (run: Run) => Promise<T>, profile: Profile): Promise<T | undefined> => {
      const run = await openRun(browser as Browser, profile);
      const t0 = performance.now();
      try {
        const result = await body(run);
        verbose(`${what}: ${(performance.now() - t0).toFixed(0)} ms`);
        return result;
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        verbose(`${what}: failed ${String(error)}`);
        return undefined;
      } finally {
        await run.context.close();
        if (await cloudIdle(cloud)) dropped += 1;
      }
    };

    // One warm-up load per page (the first Chromium start, the server's first answers), not measured.
    if (parts.cold || parts.renewal) {
      for (const variant of VARIANTS) {
        await attempt(`warm-up ${variant}`, async ({ page }) => {
          await page.goto(pageUrl(variant, `warmup-${variant}`), { waitUntil: 'commit' });
          await waitRegistered(page);
        }, PROFILES[1] as Profile);
      }
    }

    if (parts.cold) {
      for (let i = 0; i < Math.max(...Object.values(tuning.coldRuns)); i += 1) {
        for (const profile of PROFILES.filter((p) => i < tuning.coldRuns[p.id])) {
          for (const variant of VARIANTS) {
            runCount += 1;
            const sample = await attempt(`cold ${variant} ${profile.id} #${i}`, async ({ page, network }) => {
              await page.goto(pageUrl(variant, `cold-${variant}-${profile.id}-${i}`), { waitUntil: 'commit' });
              const registered = await waitRegistered(page);
              const { events, longTasks } = await page.evaluate(() => ({ events: window.__bench.events, longTasks: window.__bench.longTasks }));
              return { variant, profile: profile.id, registered, network: await alignNetwork(page, network), events, longTasks };
            }, profile);
            if (sample) cold.push(sample);
          }
        }
      }
    }

    if (parts.renewal) {
      for (let i = 0; i < Math.max(...Object.values(tuning.renewalContexts)); i += 1) {
        for (const profile of PROFILES.filter((p) => i < tuning.renewalContexts[p.id])) {
          for (const [kind, variant] of [['provider', 'a'], ['bare', 'c']] as const) {
            runCount += 1;
            await attempt(`renewal ${kind} ${profile.id} #${i}`, async ({ page }) => {
              await page.goto(pageUrl(variant, `renew-${kind}-${profile.id}-${i}`), { waitUntil: 'commit' });
              await waitRegistered(page);
              for (let r = 0; r < tuning.renewalsPerContext; r += 1) {
                const timing = await page.evaluate(() => {
                  const renew = window.__bench.renew;
                  if (!renew) throw new Error('the page has no renew()');
                  return renew();
                });
                if (!Number.isFinite(timing.gone) || !Number.isFinite(timing.registered)) throw new Error('a renewal without both marks');
                renewals.push({ kind, profile: profile.id, timing });
              }
            }, profile);
          }
        }
      }
    }
  } finally {
    await browser?.close();
    await server?.close();
    await cloud.close();
    await rm(outRoot, { recursive: true, force: true });
  }

  const rows: Row[] = [];
  const details: string[] = [];
  if (parts.cold) reportCold(cold, rows, details, tuning);
  if (parts.renewal) reportRenewal(renewals, rows, details, tuning);
  details.push(
    `Chromium ${browserVersion ?? '?'} (headless, ${CHROMIUM_PATH}); pages built with Vite in ${((buildMs ?? NaN) / 1000).toFixed(1)} s; ${runCount} contexts${dropped > 0 ? ` (${dropped} sockets dropped by the cloud after the run)` : ''}${failures.length > 0 ? `, ${failures.length} failed runs: ${failures.slice(0, 3).join('; ')}` : ''}.`,
    '',
  );
  return { rows, details, failures, wallMs: performance.now() - started };
}

let browserVersion: string | undefined;

// ---- reporting ----

const goalCheck = (value: number, goal: number) => `≤ ${goal.toFixed(2)} ${value <= goal ? '✓' : '✗'}`;

function reportCold(samples: ColdSample[], rows: Row[], details: string[], tuning: BrowserTuning): void {
  for (const profile of PROFILES) {
    const times = (variant: Variant) => samples.filter((s) => s.variant === variant && s.profile === profile.id).map((s) => s.registered);
    const summaries = Object.fromEntries(VARIANTS.map((variant) => [variant, summarize(times(variant))])) as Record<Variant, Summary>;
    if (VARIANTS.some((variant) => summaries[variant].n === 0)) continue;
    const vs = (ours: Variant, base: Variant) => ratioOfMedians(times(ours), times(base));
    const emulated = profile.conditions !== undefined;
    const providerRatio = vs('a', 'c');
    const headStartRatio = vs('d', 'c');
    rows.push(['g', `cold load to \`registered\`, ${profile.id}: ${LABEL.a} vs ${LABEL.c}, median [p25–p75]`, spread(summaries.a), spread(summaries.c), ratio(providerRatio), emulated ? goalCheck(providerRatio.ratio, 1) : '']);
    rows.push(['g', `cold load, ${profile.id}: ${LABEL.d} vs ${LABEL.c}`, spread(summaries.d), spread(summaries.c), ratio(headStartRatio), emulated ? goalCheck(headStartRatio.ratio, 0.92) : '']);
    rows.push(['g', `cold load, ${profile.id}: ${LABEL.a} vs ${LABEL.b}`, spread(summaries.a), spread(summaries.b), ratio(vs('a', 'b')), '']);
    rows.push(['g', `cold load, ${profile.id}: the head start's own gain, d vs a`, spread(summaries.d), spread(summaries.a), ratio(vs('d', 'a')), '']);
    details.push(
      `**(g) cold load to registered, ${profile.label}**: ${tuning.coldRuns[profile.id]} runs per page, alternating a, b, c, d; a new browser context per run; token endpoint +${TOKEN_DELAY_MS} ms.`,
      '',
      '| page | median [p25–p75] | min | p90 | max |',
      '| --- | --- | ---: | ---: | ---: |',
      ...VARIANTS.map((variant) => {
        const s = summaries[variant];
        return `| ${variant}: ${LABEL[variant]} | ${spread(s)} | ${ms(s.min)} | ${ms(s.p90)} | ${ms(s.max)} |`;
      }),
      '',
    );
    if (emulated) {
      for (const variant of ['a', 'd'] as const) {
        const run = medianRun(samples.filter((s) => s.variant === variant && s.profile === profile.id));
        if (run) details.push(`Waterfall of the median ${variant} run (${LABEL[variant]}), ${profile.id}, registered at ${ms(run.registered)}:`, '', ...waterfall(run), '');
      }
    }
  }
}

function reportRenewal(samples: { kind: 'provider' | 'bare'; profile: Profile['id']; timing: RenewalTiming }[], rows: Row[], details: string[], tuning: BrowserTuning): void {
  for (const profile of PROFILES) {
    const blackout = (kind: 'provider' | 'bare') => samples.filter((s) => s.kind === kind && s.profile === profile.id).map((s) => s.timing.registered - s.timing.gone);
    const whole = (kind: 'provider' | 'bare') => samples.filter((s) => s.kind === kind && s.profile === profile.id).map((s) => s.timing.registered - s.timing.start);
    const provider = blackout('provider');
    const bare = blackout('bare');
    if (provider.length === 0 || bare.length === 0) continue;
    const r = ratioOfMedians(provider, bare);
    rows.push(['h', `renewal blackout, ${profile.id}: old session gone → new \`registered\`, \`renew()\` vs bare \`unregister()\` + \`register()\``, spread(summarize(provider)), spread(summarize(bare)), ratio(r), profile.conditions ? goalCheck(r.ratio, 1) : '']);
    details.push(
      `**(h) renewal blackout, ${profile.label}**: ${tuning.renewalContexts[profile.id]} contexts per kind, ${tuning.renewalsPerContext} renewals in each, alternating; provider page a (\`renew()\`: fresh token from \`tokenUrl\`, \`ua.unregister()\`, \`register()\`; from its \`unregistered\` event to its \`registered\` event), bare page c (fresh token, then \`ua.unregister()\` resolved → \`ua.register()\` resolved).`,
      `Whole swap (renew() / the token request called → registered): provider ${spread(summarize(whole('provider')))}, bare ${spread(summarize(whole('bare')))}.`,
      '',
    );
  }
}

/** The run whose time is the median of its group (the one a waterfall should show). */
function medianRun(samples: ColdSample[]): ColdSample | undefined {
  const sorted = [...samples].sort((x, y) => x.registered - y.registered);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** What a request is, from its URL. */
function labelOf(entry: NetEntry): string {
  const url = new URL(entry.url);
  const file = url.pathname.split('/').pop() ?? '';
  if (entry.kind === 'Document') return `document ${file}`;
  if (url.pathname === '/token') return 'token (POST tokenUrl)';
  if (url.pathname.endsWith('/preferredCCS')) return 'preferredCCS';
  if (url.pathname.endsWith('/socket.io.js')) return 'socket.io script';
  if (entry.kind === 'WebSocket') return 'socket (WebSocket)';
  if (url.pathname.startsWith('/socket.io/')) return `socket (${url.searchParams.get('transport') ?? 'http'} ${url.searchParams.has('sid') ? 'poll' : 'handshake'})`;
  if (/^apiRTC/.test(file)) return `SDK chunk ${file}`;
  if (/^driver/.test(file)) return `engine chunk ${file}`;
  return `chunk ${file}`;
}

/** A text waterfall: one line per request, engine event and long task, on a common scale from the navigation start. */
function waterfall(run: ColdSample): string[] {
  interface Line {
    start: number;
    stop: number;
    mark: string;
    label: string;
  }
  const lines: Line[] = [
    ...run.network
      .filter((entry) => Number.isFinite(entry.start))
      .map((entry) => {
        const size = entry.bytes === undefined || entry.bytes === 0 ? '' : ` ${(entry.bytes / 1024).toFixed(1)} KB`;
        const connected = entry.connected === undefined ? '' : ` (socket.io connected at ${entry.connected.toFixed(0)} ms)`;
        return { start: entry.start, stop: entry.connected ?? entry.end ?? entry.response ?? entry.start, mark: '█', label: `${labelOf(entry)}${size}${connected}` };
      }),
    ...run.longTasks.map((task) => ({ start: task.start, stop: task.start + task.duration, mark: '▒', label: `main thread busy (long task, ${task.duration.toFixed(0)} ms)` })),
    ...run.events.map((event) => ({ start: event.t, stop: event.t, mark: '◆', label: `engine: ${event.type}` })),
  ].sort((x, y) => x.start - y.start);
  const end = Math.max(run.registered, ...lines.map((line) => line.stop));
  const width = 50;
  const column = (t: number) => Math.max(0, Math.min(width - 1, Math.round((t / end) * (width - 1))));
  const bar = (line: Line) => Array.from({ length: width }, (_, i) => (i >= column(line.start) && i <= column(line.stop) ? line.mark : ' ')).join('');
  const text = (line: Line) =>
    `${line.start.toFixed(0).padStart(5)} ${line.stop === line.start ? '      ' : `→${line.stop.toFixed(0).padStart(5)}`} |${bar(line)}| ${line.label}`;
  return ['```', ...lines.map(text), '```', '(ms since the navigation started; █ a request from sent to finished, ▒ a long task, ◆ an engine event)'];
}
