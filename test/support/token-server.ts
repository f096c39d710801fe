/**
 * A token endpoint on a real node:http server (127.0.0.1, a free port) whose answers tests script one
 * request at a time: a 5xx, no answer at all, an odd body, or the real `createTokenHandler`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import type { TokenHandler } from '../../src/server/index.js';

export type TokenAnswer =
  /** The real handler (createTokenHandler) answers. */
  | { kind: 'handler' }
  /** An HTTP status with a JSON error body. */
  | { kind: 'status'; status: number }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** 200 with this body, as is. */
  | { kind: 'body'; body: string; contentType?: string }
  /** 200 with the contract's JSON for a token the test made (expired, odd claims...). */
  | { kind: 'token'; sign: () => Promise<string>; userId: string };

export interface TokenRequest {
  reason: string | undefined;
  /** Resolves when the connection of this request closes (e.g. the client aborted it). */
  closed: Promise<void>;
}

export interface ScriptedTokenServer {
  url: string;
  /** Answers for the next requests, in order; once empty, `fallback` answers. */
  readonly answers: TokenAnswer[];
  fallback: TokenAnswer;
  readonly requests: TokenRequest[];
  /** Every non-200 body the server wrote (for secret scans). */
  readonly errorBodies: string[];
  /** Resolves when the `count`-th request has arrived. */
  nthRequest(count: number, timeoutMs?: number): Promise<TokenRequest>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reasonOf(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { reason?: unknown };
    return typeof value.reason === 'string' ? value.reason : undefined;
  } catch {
    return undefined;
  }
}

export async function startTokenServer(handler: TokenHandler): Promise<ScriptedTokenServer> {
  const requests: TokenRequest[] = [];
  const waiters = new Set<() => void>();
  const errorBodies: string[] = [];
  const send = (res: ServerResponse, status: number, body: string, contentType = 'application/json') => {
    if (status !== 200) errorBodies.push(body);
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      requests.push({ reason: reasonOf(text), closed });
      for (const waiter of [...waiters]) waiter();
      const answer = scripted.answers.shift() ?? scripted.fallback;
      switch (answer.kind) {
        case 'handler': {
          // The body was read here: hand it over as a body parser would (req.body), which the adapter supports.
          (req as IncomingMessage & { body?: string }).body = text;
          const originalEnd = res.end.bind(res);
          const chunks: string[] = [];
          const write = res.write.bind(res);
          res.write = ((chunk: unknown, ...rest: unknown[]) => {
            chunks.push(Buffer.from(chunk as Uint8Array).toString('utf8'));
            return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
          }) as typeof res.write;
          res.end = ((chunk?: unknown, ...rest: unknown[]) => {
            if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Uint8Array).toString('utf8'));
            if (res.statusCode !== 200) errorBodies.push(chunks.join(''));
            return (originalEnd as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
          }) as typeof res.end;
          handler.node(req, res);
          return;
        }
        case 'status':
          return send(res, answer.status, JSON.stringify({ error: `scripted ${answer.status}` }));
        case 'hang':
          return;
        case 'body':
          return send(res, 200, answer.body, answer.contentType);
        case 'token': {
          const token = await answer.sign();
          const { exp } = decodeJwt(token);
          return send(res, 200, JSON.stringify({ token, userId: answer.userId, expiresAt: typeof exp === 'number' ? exp * 1000 : null }));
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const scripted: ScriptedTokenServer = {
    url: `http://127.0.0.1:${port}/api/apirtc-token`,
    answers: [],
    fallback: { kind: 'handler' },
    requests,
    errorBodies,
    nthRequest(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests[count - 1];
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`request #${count} did not arrive within ${timeoutMs} ms (${requests.length} so far)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return scripted;
}
