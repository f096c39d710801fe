/**
 * The browser bench's web server on 127.0.0.1 (node:http): the built pages, served as a CDN would (gzip,
 * immutable assets), and the app's token endpoint, which signs with `createApiRtcToken` after an added delay
 * (an app's own work: session lookup, database) so the token is not free.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApiRtcToken } from '../../src/server/token.js';

export interface BenchServerOptions {
  /** URL prefix (`/a/`) -> the directory built for it. */
  sites: Record<string, string>;
  apiKey: string;
  secret: string;
  /** Added before signing each token. */
  tokenDelayMs: number;
}

export interface BenchServer {
  url: string;
  /** Token requests answered so far. */
  tokens: number;
  close(): Promise<void>;
}

interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer;
  immutable: boolean;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.map': 'application/json' };

async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const files = new Map<string, StaticFile>();
  for (const [prefix, dir] of Object.entries(options.sites)) {
    for (const path of await filesOf(dir)) {
      const body = await readFile(path);
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      files.set(`${prefix}${relative(dir, path).split('\\').join('/')}`, { type, body, gzip: gzipSync(body, { level: 6 }), immutable: path.includes('/assets/') });
    }
  }

  const state = { tokens: 0 };
  const serveToken = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        const userId = url.searchParams.get('user') ?? '';
        createApiRtcToken({ apiKey: options.apiKey, secret: options.secret, userId, expiresIn: 3600 }).then(
          (token) => {
            state.tokens += 1;
            const body = JSON.stringify({ token, userId, expiresAt: Date.now() + 3_600_000 });
            res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
          },
          (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
        );
      }, options.tokenDelayMs);
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/token' && req.method === 'POST') return serveToken(req, res, url);
    const file = files.get(url.pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404).end();
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip : file.body;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tokens() {
      return state.tokens;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
