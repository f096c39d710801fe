import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for a credentialed client: the SDK opens its socket with `withCredentials: true`, so a `*`
 * origin is refused by browsers. Every answer reflects the request's exact Origin instead.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '') return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
}

/** A CORS preflight: OPTIONS with Access-Control-Request-Method. */
export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
}

/** Answers a preflight (after applyCors): allows the asked method and headers (Authorization, multipart). */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const method = req.headers['access-control-request-method'];
  res.setHeader('Access-Control-Allow-Methods', typeof method === 'string' && method !== '' ? method : 'GET, POST, OPTIONS');
  const headers = req.headers['access-control-request-headers'];
  if (typeof headers === 'string' && headers !== '') res.setHeader('Access-Control-Allow-Headers', headers);
  // Chromium's Private Network Access asks this of loopback servers reached from other origins.
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.setHeader('Access-Control-Max-Age', '600');
  res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  res.statusCode = 204;
  res.end();
}

/** The same policy for socket.io's own answers (handshake, polling): reflect the origin, allow credentials. */
export const socketIoCors = { origin: true, credentials: true } as const;

/** No Origin (curl, Node), or a page served from this machine: http(s)://127.0.0.1, localhost or [::1], any port. */
export function isLoopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  const { protocol, hostname } = new URL(origin);
  return (protocol === 'http:' || protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}
