import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/** Where the SDK loads the socket.io client from: `http(s)://<ccs>/socket.io/v3/socket.io.js`. */
export const SOCKET_SCRIPT_PATH = '/socket.io/v3/socket.io.js';

/** How long browsers may reuse the script without asking again (a CDN's long cache; the ETag covers changes). */
export const SOCKET_SCRIPT_MAX_AGE_S = 7 * 24 * 3600;

export type ScriptEncoding = 'br' | 'gzip' | 'identity';

/** The script in every encoding, computed once per process, and its strong ETag. */
export interface SocketScript {
  etag: string;
  bodies: Readonly<Record<ScriptEncoding, Buffer>>;
}

let cached: Promise<SocketScript> | undefined;

/**
 * The minified socket.io v4 client bundle (it defines the global `io` the SDK needs). socket.io's exports
 * map refuses `socket.io/client-dist/...`, so resolve the package and read `client-dist/` beside its `dist/`.
 */
export function socketIoClientPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('socket.io'); // .../socket.io/dist/index.js
  return join(dirname(dirname(entry)), 'client-dist', 'socket.io.min.js');
}

async function build(): Promise<SocketScript> {
  // The source map is not served: drop its reference so that an open devtools asks for nothing that 404s.
  const text = (await readFile(socketIoClientPath(), 'utf8')).replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const identity = Buffer.from(text, 'utf8');
  const [br, gz] = await Promise.all([
    promisify(brotliCompress)(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    promisify(gzip)(identity, { level: 9 }),
  ]);
  const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
  return { etag, bodies: { identity, br, gzip: gz } };
}

/** Reads, strips and compresses the bundle once per process (a failed read is retried on the next call). */
export function loadSocketScript(): Promise<SocketScript> {
  cached ??= build().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** The best encoding the request accepts (br, then gzip, else identity), reading q-values (`;q=0` refuses). */
export function pickEncoding(acceptEncoding: string | undefined): ScriptEncoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (allows('br')) return 'br';
  if (allows('gzip')) return 'gzip';
  return 'identity';
}

/** Whether an If-None-Match header names `etag` (or `*`); weak comparison, as RFC 9110 asks for GET. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
