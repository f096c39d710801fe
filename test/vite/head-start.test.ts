/**
 * `apirtc-react-auth/vite`: a small Vite app, built as a user's would be, with and without the head-start
 * plugin. With it, the page that mounts the provider preloads the chunk holding @apirtc/apirtc and the engine's
 * lazy chunk (and only that page, at an href that resolves to the file); without it, nothing in the HTML names the SDK's chunk.
 */
import type { PluginOption } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRtcHeadStart, isApiRtcAuthError, type ApiRtcHeadStartOptions } from '../../src/vite/index.js';
import { createProviderApp, ENGINE_MARKER, SDK_MARKER } from '../support/vite-app.js';

let app: Awaited<ReturnType<typeof createProviderApp>>;

/** Builds the app (its provider page and a page without the provider) and returns its pages and JS chunks. */
async function buildApp(name: string, plugins: PluginOption[], base = '/') {
  const built = await app.build(name, { plugins, base, inputs: ['index.html', 'pages/about.html'] });
  return {
    index: built.html.get('index.html') ?? '',
    about: built.html.get('pages/about.html') ?? '',
    chunks: built.chunks,
    sdkChunk: built.holding(SDK_MARKER),
    engineChunk: built.holding(ENGINE_MARKER),
  };
}

const preloads = (html: string) => [...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*>/g)].map((match) => match[0]);
const hrefOf = (tag: string) => /href="([^"]+)"/.exec(tag)?.[1];

let plain: Awaited<ReturnType<typeof buildApp>>;
let headStart: Awaited<ReturnType<typeof buildApp>>;
let relative: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  app = await createProviderApp({
    // A page of the same app that never mounts the provider: it must not pay for the SDK.
    'pages/about.html': '<!doctype html><html><head><title>about</title></head><body><p id="about"></p><script type="module" src="/about.ts"></script></body></html>',
    'about.ts': "document.getElementById('about')!.textContent = 'about';",
  });
  plain = await buildApp('plain', []);
  headStart = await buildApp('head-start', [apiRtcHeadStart()]);
  relative = await buildApp('relative', [apiRtcHeadStart()], './');
}, 180_000);

afterAll(async () => {
  if (app && !process.env.KEEP) await app.remove();
});

describe('without the plugin', () => {
  it('the HTML names no chunk of the SDK: the browser asks for it only when the provider mounts', () => {
    expect(plain.sdkChunk).toBeDefined();
    const file = plain.sdkChunk?.replace(/^assets\//, '') ?? '';
    expect(plain.index).not.toContain(file);
    expect(preloads(plain.index).some((tag) => tag.includes(file))).toBe(false);
  });
});

describe('with apiRtcHeadStart()', () => {
  it('preloads the chunk that holds @apirtc/apirtc, from the head, in CORS mode like the entry script', () => {
    const links = preloads(headStart.index);
    const sdk = links.find((tag) => hrefOf(tag) === `/${headStart.sdkChunk}`);
    expect(sdk).toBeDefined();
    expect(sdk).toContain('crossorigin');
    expect(headStart.index.indexOf(sdk ?? '')).toBeLessThan(headStart.index.indexOf('</head>'));
  });

  it("preloads the engine's lazy chunk too: it asks for the token, and must run before the SDK is evaluated", () => {
    expect(headStart.engineChunk).toBeDefined();
    expect(headStart.engineChunk).not.toBe(headStart.sdkChunk);
    expect(preloads(headStart.index).map(hrefOf)).toContain(`/${headStart.engineChunk}`);
    expect(preloads(plain.index).map(hrefOf)).not.toContain(`/${plain.engineChunk}`);
    expect(headStart.about).not.toContain(headStart.engineChunk?.replace(/^assets\//, '') ?? '');
  });

  it('links only chunks of the bundle, each reached from the SDK chunk or the SDK chunk itself', () => {
    const hrefs = preloads(headStart.index).map(hrefOf);
    for (const href of hrefs) expect(headStart.chunks.has(href?.replace(/^\//, '') ?? '')).toBe(true);
    // The entry chunk is loaded by its <script>; no extra link names it.
    const entry = /<script type="module" crossorigin src="\/([^"]+)"/.exec(headStart.index)?.[1];
    expect(entry).toBeDefined();
    expect(hrefs).not.toContain(`/${entry}`);
  });

  it('leaves a page that cannot reach the SDK without the preload', () => {
    expect(headStart.about).not.toContain(headStart.sdkChunk?.replace(/^assets\//, '') ?? '');
  });

  it('writes the href relative to the page when base is relative', () => {
    const hrefs = preloads(relative.index).map(hrefOf);
    expect(hrefs).toContain(`./${relative.sdkChunk}`);
  });

  it('refuses options of the wrong type with INVALID_CONFIG naming the option', () => {
    const failure = (options: unknown) => {
      try {
        apiRtcHeadStart(options as ApiRtcHeadStartOptions);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(failure({ modules: '@apirtc/apirtc' })).toMatchObject({ code: 'INVALID_CONFIG', field: 'modules' });
    expect(failure(null)).toMatchObject({ code: 'INVALID_CONFIG', field: 'options' });
    expect(isApiRtcAuthError(failure('x'))).toBe(true);
  });
});
