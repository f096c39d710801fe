/**
 * (i) The token endpoint under load: tokens signed per second by `createTokenHandler(...).node` on one core,
 * next to a bare jose `SignJWT` in a raw `node:http` server that signs the same claims and answers the same body.
 *
 *   npx tsx scripts/bench/token-endpoint.ts            # this part alone (also part of `npm run bench`)
 *   npx tsx scripts/bench/token-endpoint.ts --quick    # a smoke run
 *   BENCH_CPU_PROF=dir npx tsx scripts/bench/token-endpoint.ts   # also writes .cpuprofile files in dir/handler, dir/bare
 *
 * Each server runs in its own child process, pinned to core 0 with `taskset -c 0` when it exists (else it is
 * simply one Node thread); the load generator (autocannon, HTTP/1.1 keep-alive on 127.0.0.1) runs in another
 * child, pinned to core 1. Blocks of a fixed duration go to each server in turn (the order rotating), after a
 * warm-up block each; a block's rate is its 2xx answers divided by its duration. Every answer must be a 2xx: a
 * block with an error or another status fails the part. Reported, never asserted.
 *
 * The handler runs from the built package when `dist/` exists (`npm run bench` builds it first), as an app runs
 * it: tsx transforms this file, not plain JS. Its transform (esbuild's keepNames) names every named function
 * expression when it is created (`__name(fn, "name")`, a defineProperty), which the package's build does not: a
 * named closure made per request would cost more through tsx than in the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jwtVerify, SignJWT } from 'jose';
import { APIRTC_AUDIENCE, USER_ID_GRANT, type ApiRtcClaims } from '../../src/core/jwt.js';
import type { createTokenHandler as CreateTokenHandler } from '../../src/server/index.js';
import { quantile, seeded, summarize } from './stats.js';

const FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function version(name: string): string {
  try {
    return (JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
const API_KEY = 'benchApiKey';
const SECRET = 'bench-secret-token-endpoint-3b8f';
const USER_ID = 'bench-user-42';
/** What an app's authorize typically checks: its own session credential. */
const SESSION = 'Bearer bench-session';
const EXPIRES_IN = 3600;
const BODY = '{"reason":"renew"}';

/**
 * handler: authorize reads the Node request (`context.node.req`), as an Express app reads its session;
 * request: the same, reading the fetch `Request` instead (the adapter then builds one); bare: by hand.
 */
type Variant = 'handler' | 'request' | 'bare';
const VARIANTS: readonly Variant[] = ['handler', 'request', 'bare'];
const isVariant = (value: string | undefined): value is Variant => (VARIANTS as readonly (string | undefined)[]).includes(value);

// ---------------------------------------------------------------------------------------------------------
// The two servers (run in the child processes).

/**
 * The handler as an app runs it: the built package (`dist/server/index.js`, plain JS: tsx leaves it as it is),
 * or, before a build, its sources.
 */
const BUILT_SERVER_ENTRY = fileURLToPath(new URL('../../dist/server/index.js', import.meta.url));
const handlerEntry = () => (existsSync(BUILT_SERVER_ENTRY) ? 'dist/server/index.js (the built package)' : 'src/server/index.ts (the sources, through tsx)');

async function handlerServer(readsRequest: boolean) {
  const { createTokenHandler } = (await import(existsSync(BUILT_SERVER_ENTRY) ? BUILT_SERVER_ENTRY : '../../src/server/index.js')) as { createTokenHandler: typeof CreateTokenHandler };
  const handler = createTokenHandler({
    apiKey: API_KEY,
    secret: SECRET,
    expiresIn: EXPIRES_IN,
    authorize: readsRequest
      ? (request) => (request.headers.get('authorization') === SESSION ? USER_ID : null)
      : (_request, { node }) => (node?.req.headers.authorization === SESSION ? USER_ID : null),
  });
  return createServer(handler.node);
}

/** What one would write by hand with jose: read the body, check the session, sign, answer JSON. */
function bareServer() {
  const bytes = new TextEncoder().encode(SECRET);
  // jose imports a Uint8Array into a CryptoKey on every sign; a careful hand-written server does it once, and
  // (as the handler does) awaits the import only until it is done.
  const importing = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  let key: CryptoKey | undefined;
  const answer = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(body);
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return answer(res, 405, '{"error":"method not allowed"}');
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const reason: unknown = text === '' ? undefined : (JSON.parse(text) as { reason?: unknown }).reason;
          void reason;
          if (req.headers.authorization !== SESSION) return answer(res, 401, '{"error":"unauthorized"}');
          const iat = Math.floor(Date.now() / 1000);
          const exp = iat + EXPIRES_IN;
          const token = await new SignJWT({ grants: { [USER_ID_GRANT]: USER_ID } })
            .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
            .setSubject(API_KEY)
            .setAudience(APIRTC_AUDIENCE)
            .setIssuedAt(iat)
            .setExpirationTime(exp)
            .setJti(crypto.randomUUID())
            .sign((key ??= await importing));
          answer(res, 200, JSON.stringify({ token, userId: USER_ID, expiresAt: exp * 1000, scope: 'user' }));
        } catch {
          answer(res, 500, '{"error":"internal error"}');
        }
      })();
    });
  });
}

async function runServer(variant: Variant): Promise<void> {
  const server = variant === 'bare' ? bareServer() : await handlerServer(variant === 'request');
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  // Each line on stdin asks for the CPU time used so far (all threads: WebCrypto signs on libuv's pool).
  // The parent closes stdin to stop us (and if it dies, so do we); a normal exit writes a --cpu-prof profile.
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (data: string) => {
    for (let lines = data.split('\n').length - 1; lines > 0; lines -= 1) {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
    }
  });
  process.stdin.on('end', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

interface LoadJob {
  url: string;
  seconds: number;
  connections: number;
}

/** The load generator: one JSON job per stdin line, one JSON result per stdout line; ends with stdin. */
async function runLoadGenerator(): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin })) {
    const job = JSON.parse(line) as LoadJob;
    const result = await autocannon({
      url: job.url,
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', authorization: SESSION },
      body: BODY,
      connections: job.connections,
      duration: job.seconds,
    });
    const answer: LoadResult = {
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      duration: result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The orchestrator.

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Seconds, as autocannon measured the block. */
  duration: number;
  p50: number;
  p99: number;
}

const hasTaskset = availableParallelism() > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** This file again in a child Node process (with tsx), pinned to `core` when taskset exists. */
function child(core: number, args: string[], nodeFlags: string[] = []): ChildProcess {
  const node = [...nodeFlags, '--import', 'tsx', FILE, ...args];
  const [command, argv] = hasTaskset ? ['taskset', ['-c', String(core), process.execPath, ...node]] : [process.execPath, node];
  return spawn(command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The next line the child prints, as JSON (one question, one line: nothing else is in flight). */
function firstLine<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onExit = (code: number | null): void => reject(new Error(`${what} exited (${code}) before answering`));
    const onData = (data: Buffer): void => {
      buffer += data.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      try {
        resolve(JSON.parse(buffer.slice(0, end)) as T);
      } catch (error) {
        reject(new Error(`${what}: unreadable output ${JSON.stringify(buffer.slice(0, 200))}`, { cause: error }));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stop(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    process.once('exit', () => resolve());
    process.stdin?.end();
  });
}

/** The server's CPU time so far, in µs. */
async function cpuMicros(server: ChildProcess): Promise<number> {
  const answer = firstLine<{ cpuMicros: number }>(server, 'a server');
  server.stdin?.write('\n');
  return (await answer).cpuMicros;
}

async function startServer(variant: Variant, profileDir: string | undefined): Promise<{ url: string; process: ChildProcess }> {
  // One folder per server: tsx's loader thread writes a profile of its own next to the main thread's.
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${variant}`] : [];
  const server = child(0, [`--serve=${variant}`], flags);
  const { port } = await firstLine<{ port: number }>(server, `the ${variant} server`);
  return { url: `http://127.0.0.1:${port}/api/apirtc-token`, process: server };
}

async function load(generator: ChildProcess, job: LoadJob): Promise<LoadResult> {
  const result = firstLine<LoadResult>(generator, 'the load generator');
  generator.stdin?.write(`${JSON.stringify(job)}\n`);
  return result;
}

/** One answer of each server, checked: the same claims, a valid signature, the same body keys. */
async function check(variant: Variant, url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain', Authorization: SESSION }, body: BODY });
  const body = (await response.json()) as { token: string; userId: string; expiresAt: number; scope: string };
  if (response.status !== 200) throw new Error(`${variant}: answered ${response.status}`);
  const { payload } = await jwtVerify<ApiRtcClaims>(body.token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'], audience: APIRTC_AUDIENCE, subject: API_KEY });
  const keys = Object.keys(payload).sort().join(',');
  if (keys !== 'aud,exp,grants,iat,jti,sub' || payload.grants?.[USER_ID_GRANT] !== USER_ID || body.userId !== USER_ID || body.scope !== 'user') {
    throw new Error(`${variant}: unexpected answer ${JSON.stringify({ keys, userId: body.userId, scope: body.scope })}`);
  }
  if ((payload.exp ?? 0) - (payload.iat ?? 0) !== EXPIRES_IN || body.expiresAt !== (payload.exp ?? 0) * 1000) throw new Error(`${variant}: wrong lifetime`);
}

export interface TokenEndpointResult {
  /** Tokens per second of wall time, per block. */
  rates: Record<Variant, number[]>;
  /** Tokens per second of the server's own CPU time (all its threads), per block: what one free core sustains. */
  cpuRates: Record<Variant, number[]>;
  latency: Record<Variant, { p50: number[]; p99: number[] }>;
  seconds: number;
  cycles: number;
  connections: number;
  pinned: boolean;
}

export async function measureTokenEndpoint(options: { quick: boolean }): Promise<TokenEndpointResult> {
  // Short blocks, many cycles: the two blocks a cycle's ratio compares run close together, so that a change of
  // the machine's load between them (other work on a shared machine) weighs less than over longer blocks.
  const seconds = options.quick ? 1 : 1.5;
  const cycles = options.quick ? 3 : 20;
  const connections = 16;
  const profileDir = process.env.BENCH_CPU_PROF;
  const started: ChildProcess[] = [];
  const start = async (variant: Variant) => {
    const server = await startServer(variant, profileDir);
    started.push(server.process);
    return server;
  };
  try {
    const servers = { handler: await start('handler'), request: await start('request'), bare: await start('bare') };
    const generator = child(1, ['--load']);
    started.push(generator);
    for (const variant of VARIANTS) await check(variant, servers[variant].url);
    const rates: TokenEndpointResult['rates'] = { handler: [], request: [], bare: [] };
    const cpuRates: TokenEndpointResult['rates'] = { handler: [], request: [], bare: [] };
    const latency: TokenEndpointResult['latency'] = { handler: { p50: [], p99: [] }, request: { p50: [], p99: [] }, bare: { p50: [], p99: [] } };
    for (const variant of VARIANTS) await load(generator, { url: servers[variant].url, seconds: 1, connections }); // warm-up (JIT)
    for (let cycle = 0; cycle < cycles; cycle += 1) {
      const order = VARIANTS.map((_, index) => VARIANTS[(index + cycle) % VARIANTS.length] as Variant);
      for (const variant of order) {
        const cpuBefore = await cpuMicros(servers[variant].process);
        const result = await load(generator, { url: servers[variant].url, seconds, connections });
        const cpu = (await cpuMicros(servers[variant].process)) - cpuBefore;
        if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
          throw new Error(`${variant}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
        }
        rates[variant].push(result.ok / result.duration);
        cpuRates[variant].push(result.ok / (cpu / 1e6));
        latency[variant].p50.push(result.p50);
        latency[variant].p99.push(result.p99);
      }
    }
    return { rates, cpuRates, latency, seconds, cycles, connections, pinned: hasTaskset };
  } finally {
    // Whatever was started, even if a later server failed to start.
    await Promise.all(started.map(stop));
  }
}

/**
 * The median of the per-cycle ratios a[i] / b[i], with a 95% percentile-bootstrap interval over the cycles.
 * Each cycle runs its blocks back to back, so a cycle's ratio shares the machine's load of that moment: on a
 * shared machine this is far steadier than a ratio of medians taken over the whole run.
 */
function pairedRatio(a: readonly number[], b: readonly number[], resamples = 2000): { ratio: number; low: number; high: number } {
  const ratios = a.map((value, index) => value / (b[index] ?? NaN));
  const median = (values: readonly number[]) => quantile([...values].sort((x, y) => x - y), 0.5);
  const random = seeded(0x5bd1e995);
  const medians: number[] = [];
  for (let i = 0; i < resamples; i += 1) medians.push(median(Array.from(ratios, () => ratios[Math.floor(random() * ratios.length)] as number)));
  medians.sort((x, y) => x - y);
  return { ratio: median(ratios), low: quantile(medians, 0.025), high: quantile(medians, 0.975) };
}

/** Other work on the machine (it is shared) slows the blocks and shifts the rates: the ratios are what to read. */
function loadAverage(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' / ');
}

type Row = [part: string, measure: string, ours: string, baseline: string, result: string, goal: string];

/** Part (i) of `npm run bench`: adds its row to the table and its paragraph to the details. Skipped with --only. */
export async function benchTokenEndpoint(options: { quick: boolean; skip?: boolean; rows: Row[]; details: string[] }): Promise<void> {
  if (options.skip) return;
  let result: TokenEndpointResult;
  const loadBefore = loadAverage();
  try {
    result = await measureTokenEndpoint(options);
  } catch (error) {
    console.error('(i) token endpoint failed:', error);
    options.rows.push(['i', 'token endpoint under load', 'failed', '', String(error instanceof Error ? error.message : error), '']);
    return;
  }
  const handler = summarize(result.rates.handler);
  const bare = summarize(result.rates.bare);
  const ratio = pairedRatio(result.rates.handler, result.rates.bare);
  const int = (value: number) => Math.round(value).toLocaleString('en-US');
  const spread = (s: ReturnType<typeof summarize>) => `${int(s.median)}/s [${int(s.p25)}–${int(s.p75)}]`;
  const cpuHandler = summarize(result.cpuRates.handler);
  const cpuBare = summarize(result.cpuRates.bare);
  const cpuRatio = pairedRatio(result.cpuRates.handler, result.cpuRates.bare);
  const cpuRequest = summarize(result.cpuRates.request);
  const cpuRequestRatio = pairedRatio(result.cpuRates.request, result.cpuRates.bare);
  const ms = (values: number[]) => `${summarize(values).median.toFixed(2)} ms`;
  const verdict = (r: { ratio: number }) => (r.ratio >= 0.9 ? '≥ 0.9 ✓' : '≥ 0.9 ✗');
  const shown = (r: { ratio: number; low: number; high: number }) => `×${r.ratio.toFixed(2)} (95% CI ${r.low.toFixed(2)}–${r.high.toFixed(2)})`;
  options.rows.push(
    [
      'i',
      'token endpoint: tokens signed per second of wall time on one core, `createTokenHandler(...).node` vs bare jose `SignJWT` in raw `node:http`, median [p25–p75]',
      spread(handler),
      spread(bare),
      shown(ratio),
      verdict(ratio),
    ],
    [
      'i',
      "token endpoint: tokens signed per second of the server's own CPU time (what one free core sustains), median [p25–p75]",
      spread(cpuHandler),
      spread(cpuBare),
      shown(cpuRatio),
      verdict(cpuRatio),
    ],
    [
      'i',
      'the same, CPU time, with an `authorize` that reads the fetch `Request` (the Node adapter then builds one)',
      spread(cpuRequest),
      spread(cpuBare),
      shown(cpuRequestRatio),
      '',
    ],
  );
  options.details.push(
    `**(i) token endpoint under load** (load average ${loadBefore} before, ${loadAverage()} after, 1 / 5 / 15 min): ${result.cycles} blocks of ${result.seconds} s per server, the three servers in turn (the order rotating each cycle), after a 1 s warm-up each; autocannon ${version('autocannon')}, jose ${version('jose')}, ${result.connections} keep-alive connections on 127.0.0.1, each request a text/plain \`POST\` of \`${BODY}\` with an \`Authorization\` header that \`authorize\` checks: the handler's reads it from \`context.node.req\` (as an Express app reads \`req.session\`), the bare server from \`req.headers\`. ${result.pinned ? 'Servers pinned to core 0, the load generator to core 1 (`taskset`)' : 'No taskset: the servers and the load generator share the cores'}. Every answer was a 200; one answer of each was verified (signature, claims, body). The handler ran from ${handlerEntry()}.`,
    `Latency, medians of the blocks (handler / reading the Request / bare): p50 ${ms(result.latency.handler.p50)} / ${ms(result.latency.request.p50)} / ${ms(result.latency.bare.p50)}, p99 ${ms(result.latency.handler.p99)} / ${ms(result.latency.request.p99)} / ${ms(result.latency.bare.p99)}. Per-block rates, wall (CPU): ${VARIANTS.map((variant) => `${variant} ${result.rates[variant].map((rate, i) => `${int(rate)} (${int(result.cpuRates[variant][i] ?? NaN)})`).join(', ')}`).join('; ')}. The CPU-time rate divides the 2xx answers by the server process's user + system time (all its threads, read with \`process.cpuUsage()\` around each block): it depends much less than the wall rate on what else runs on the machine (but still some: contention changes how many requests each wake-up serves). Ratios are the median of the per-cycle ratios (a cycle runs its three blocks back to back), with a bootstrap interval over the cycles.`,
    '',
  );
}

// ---------------------------------------------------------------------------------------------------------
// Entry: a server, the load generator, or this part alone.

const arg = (name: string) => process.argv.find((value) => value.startsWith(`--${name}=`))?.slice(name.length + 3);
if (process.argv[1] === FILE) {
  const serve = arg('serve');
  if (isVariant(serve)) {
    await runServer(serve);
  } else if (process.argv.includes('--load')) {
    await runLoadGenerator();
  } else {
    const rows: Row[] = [];
    const details: string[] = [];
    await benchTokenEndpoint({ quick: process.argv.includes('--quick'), rows, details });
    console.log(['| | measure | ours | baseline | ours / baseline, result | goal |', '| --- | --- | --- | --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`), '', ...details].join('\n'));
  }
}
