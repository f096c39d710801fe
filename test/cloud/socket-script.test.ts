import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { SOCKET_SCRIPT_PATH } from '../../src/cloud/index.js';
import { matchesEtag, pickEncoding, SOCKET_SCRIPT_MAX_AGE_S } from '../../src/cloud/socket-script.js';
import { setupLocalCloud } from '../support/cloud.js';

const env = setupLocalCloud();

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request (fetch would decompress and hide the bytes on the wire). */
function raw(headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${env.cloud.url}${SOCKET_SCRIPT_PATH}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the socket script, served as a CDN would', () => {
  test('minified: the socket.io client-dist min bundle, without a source map reference', async () => {
    const answer = await raw();
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    const text = answer.body.toString('utf8');
    expect(text).toMatch(/^\/\*!\s*\n?\s*\*?\s*Socket\.IO v4/);
    expect(text).not.toContain('sourceMappingURL');
    // The readable bundle is about 153 KB; the minified one under a third of it.
    expect(answer.body.length).toBeLessThan(60_000);
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
  });

  test.each<[string, string, (body: Buffer) => Buffer]>([
    ['br', 'gzip, deflate, br', brotliDecompressSync],
    ['gzip', 'gzip, deflate', gunzipSync],
  ])('compressed with %s when accepted, and the same script once decompressed', async (encoding, accept, decompress) => {
    const plain = (await raw()).body;
    const answer = await raw({ 'accept-encoding': accept });
    expect(answer.headers['content-encoding']).toBe(encoding);
    expect(answer.headers.vary).toContain('Accept-Encoding');
    expect(answer.body.length).toBeLessThan(plain.length / 2);
    expect(decompress(answer.body).equals(plain)).toBe(true);
  });

  test('cacheable: public max-age and a strong ETag; a matching If-None-Match answers 304 without a body', async () => {
    const first = await raw({ 'accept-encoding': 'gzip' });
    expect(first.headers['cache-control']).toBe(`public, max-age=${SOCKET_SCRIPT_MAX_AGE_S}`);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{20,}"$/);
    const again = await raw({ 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect((await raw({ 'if-none-match': '"something-else"' })).status).toBe(200);
    expect(env.cloud.requests.map((record) => record.status)).toEqual([200, 304, 200]);
  });

  test('HEAD: headers and length, no body', async () => {
    const answer = await raw({ 'accept-encoding': 'br' }, 'HEAD');
    expect(answer.status).toBe(200);
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(5000);
    expect(answer.body.length).toBe(0);
  });

  test('withheld (fault): 404, not cacheable', async () => {
    env.cloud.faults.withholdSocketScript();
    const answer = await raw({ 'accept-encoding': 'br' });
    expect(answer.status).toBe(404);
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});

describe('content negotiation and validators', () => {
  test.each<[string | undefined, string]>([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.5', 'br'],
    ['*', 'br'],
    ['*, br;q=0', 'gzip'],
    ['deflate', 'identity'],
    ['gzip;q=0', 'identity'],
  ])('Accept-Encoding %j picks %s', (header, encoding) => {
    expect(pickEncoding(header)).toBe(encoding);
  });

  test.each<[string | undefined, boolean]>([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
  ])('If-None-Match %j matches "abc": %s', (header, matches) => {
    expect(matchesEtag(header, '"abc"')).toBe(matches);
  });
});
