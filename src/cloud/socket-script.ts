import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where the SDK loads the socket.io client from: `http(s)://<ccs>/socket.io/v3/socket.io.js`. */
export const SOCKET_SCRIPT_PATH = '/socket.io/v3/socket.io.js';

let cached: Promise<Buffer> | undefined;

/**
 * The socket.io v4 client bundle (it defines the global `io` the SDK needs). socket.io's exports map
 * refuses `socket.io/client-dist/...`, so resolve the package and read `client-dist/` beside its `dist/`.
 */
export function socketIoClientPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('socket.io'); // .../socket.io/dist/index.js
  return join(dirname(dirname(entry)), 'client-dist', 'socket.io.js');
}

/** Reads the bundle once per process. */
export function loadSocketScript(): Promise<Buffer> {
  cached ??= readFile(socketIoClientPath()).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
