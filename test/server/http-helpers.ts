import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1, port 0 (a free one). */
export async function listen(listener: RequestListener): Promise<LoopbackServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** For what fetch cannot send (TRACE): a plain node:http client request. */
export function rawRequest(origin: string, method: string, path = '/', body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads a request body the way a Connect/Express body parser does, then leaves it on `req.body`. */
export async function consumeBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface SocketAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawClient {
  socket: Socket;
  /** Writes a request and resolves with the answer to it (its headers, lower-case, and its body, sized or chunked). */
  exchange(request: string): Promise<SocketAnswer>;
  /** The next answer on the connection (after a write of several requests at once). */
  answer(): Promise<SocketAnswer>;
  /** The server closed the connection. */
  readonly closed: boolean;
}

/** A body of `length` bytes from `start`, once all of it is in `buffer`. */
function sized(buffer: string, start: number, length: number): { text: string; next: number } | undefined {
  return buffer.length >= start + length ? { text: buffer.slice(start, start + length), next: start + length } : undefined;
}

/** A chunked body from `start`, once its last chunk is in `buffer`. */
function chunked(buffer: string, start: number): { text: string; next: number } | undefined {
  let text = '';
  for (let at = start; ; ) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.slice(at, lineEnd), 16);
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    if (size === 0) return { text, next: lineEnd + 4 };
    text += buffer.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** One raw keep-alive connection, to send a request in parts or several requests in turn. */
export async function rawClient(origin: string): Promise<RawClient> {
  const socket = connect(Number(new URL(origin).port), '127.0.0.1');
  onTestFinished(() => {
    socket.destroy();
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  let closed = false;
  socket.once('close', () => {
    closed = true;
    waiting?.();
  });
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (data: Buffer) => {
    buffer += data.toString('latin1');
    waiting?.();
  });
  const answer = async (): Promise<SocketAnswer> => {
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine = '', ...lines] = buffer.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        const body = headers['transfer-encoding'] === 'chunked' ? chunked(buffer, end + 4) : sized(buffer, end + 4, Number(headers['content-length'] ?? 0));
        if (body) {
          buffer = buffer.slice(body.next);
          return { status: Number(statusLine.split(' ')[1]), headers, body: body.text };
        }
      }
      if (closed) throw new Error(`the server closed the connection; received ${JSON.stringify(buffer)}`);
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
  return {
    socket,
    answer,
    exchange: (request) => {
      socket.write(request);
      return answer();
    },
    get closed() {
      return closed;
    },
  };
}
