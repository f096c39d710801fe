/**
 * `apirtc-react-auth/vite`: a Vite plugin that gives the ApiRTC SDK a head start (Node only, build time).
 *
 * Without it the browser asks for the SDK's chunk only once React has mounted `<AuthProvider>` and its effect
 * has run: after the HTML, the entry chunk, and the entry's evaluation. With it, the built HTML carries a
 * `<link rel="modulepreload">` for the chunk(s) holding `@apirtc/apirtc` and the engine's own lazy chunk, so
 * the browser fetches both in parallel with the app's own chunks and the provider's dynamic imports find them
 * already loaded.
 */
import { posix } from 'node:path';
import type { HtmlTagDescriptor, IndexHtmlTransformContext, Plugin } from 'vite';
import { invalidConfig } from '../core/errors.js';

/** The modules of the ApiRTC SDK, wherever the package manager put them (npm, pnpm, Yarn). */
export const APIRTC_SDK_MODULES = /[\\/]node_modules[\\/]@apirtc[\\/]apirtc[\\/]/;

export { ApiRtcAuthError, isApiRtcAuthError } from '../core/errors.js';

/**
 * The engine's lazily loaded module, relative to the module `apirtc-react-auth` resolves to: the built package
 * (`dist/index.js`), or its source (`src/index.ts`) when an app aliases the package to it.
 */
const ENGINE_MODULES = ['runner.js', 'core/engine/runner.ts'];

export interface ApiRtcHeadStartOptions {
  /**
   * Which modules' chunks to preload, tested against each module id of the bundle. Default: the modules of
   * `@apirtc/apirtc` ({@link APIRTC_SDK_MODULES}). The engine's own lazy chunk is preloaded with them either way.
   */
  modules?: RegExp;
}

type Bundle = NonNullable<IndexHtmlTransformContext['bundle']>;
type Chunk = Extract<Bundle[string], { type: 'chunk' }>;

/**
 * Adds `<link rel="modulepreload" crossorigin href="...">` to each built HTML page whose entry can reach the
 * SDK (through static or dynamic imports), for the chunk(s) holding `@apirtc/apirtc` and the engine's lazy
 * chunk, and the chunks they import statically (Chromium preloads only the module named, not its imports). The
 * engine's chunk is the one that asks for the token: ready before the SDK is evaluated (a long task of several
 * hundred ms), it starts the token request first instead of after. Pages that cannot reach the
 * SDK, and chunks the page loads anyway (its entry's static imports), get no link. Build only; `vite dev`
 * is left alone.
 *
 * ```ts
 * // vite.config.ts
 * import { apiRtcHeadStart } from 'apirtc-react-auth/vite';
 * export default defineConfig({ plugins: [react(), apiRtcHeadStart()] });
 * ```
 *
 * The trade-off: every load of such a page fetches the SDK (about 340 KB gzip), even when no provider
 * mounts on it (a signed-out landing page, a route without video), and the preload competes for bandwidth
 * with the app's own chunks at a higher priority than a lazy import would have: on a slow link the first
 * paint can come later. Use it on pages that register on load; leave it out where the provider mounts late
 * or rarely. `experimental.renderBuiltUrl` is not applied: hrefs are `base` + the chunk's file name
 * (relative to the page when `base` is relative).
 *
 * @throws ApiRtcAuthError `INVALID_CONFIG` (its `field` names the option) for options of the wrong type.
 */
export function apiRtcHeadStart(options: ApiRtcHeadStartOptions = {}): Plugin {
  if (options === null || typeof options !== 'object') throw invalidConfig('options', 'apiRtcHeadStart: options must be an object');
  const modules = options.modules ?? APIRTC_SDK_MODULES;
  if (!(modules instanceof RegExp)) throw invalidConfig('modules', 'apiRtcHeadStart: options.modules must be a RegExp');
  let base = '/';
  let root = process.cwd();
  let engine = new Set<string>();
  return {
    name: 'apirtc-react-auth:head-start',
    apply: 'build',
    configResolved(config) {
      base = config.base;
      root = config.root;
    },
    async buildStart() {
      // Wherever the app's resolution (aliases included) finds this package, its engine chunk sits beside it.
      // Resolved from the app's root, as its pages import it (in a monorepo, the app's own node_modules).
      const entry = await this.resolve('apirtc-react-auth', posix.join(root.replace(/\\/g, '/'), 'index.html'));
      // Module ids use forward slashes on every OS (Windows included).
      const dir = entry && !entry.external ? posix.dirname(entry.id.replace(/\\/g, '/')) : undefined;
      engine = new Set(dir === undefined ? [] : ENGINE_MODULES.map((file) => posix.join(dir, file)));
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const { bundle, chunk: entry } = ctx;
        if (!bundle || !entry) return;
        const chunks = new Map<string, Chunk>();
        for (const output of Object.values(bundle)) if (output.type === 'chunk') chunks.set(output.fileName, output);
        // Preload only what this page can end up loading, and not what it loads from the start anyway.
        const reachable = closure(chunks, [entry.fileName], true);
        const loadedAnyway = closure(chunks, [entry.fileName], false);
        const holders = [...reachable].filter((file) => chunks.get(file)?.moduleIds.some((id) => modules.test(id) || engine.has(id)));
        const files = [...closure(chunks, holders, false)].filter((file) => !loadedAnyway.has(file));
        return files
          .map((file) => href(base, ctx.path, file))
          .filter((url) => !html.includes(`href="${url}"`))
          .map((url): HtmlTagDescriptor => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: url }, injectTo: 'head' }));
      },
    },
  };
}

/** The chunks `from` reach through static imports (and dynamic ones too when `dynamic`), `from` included. */
function closure(chunks: ReadonlyMap<string, Chunk>, from: readonly string[], dynamic: boolean): Set<string> {
  const seen = new Set<string>();
  const pending = [...from];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const chunk = chunks.get(file);
    if (!chunk || seen.has(file)) continue;
    seen.add(file);
    pending.push(...chunk.imports, ...(dynamic ? chunk.dynamicImports : []));
  }
  return seen;
}

/** The URL of a built file as a page at `pagePath` must write it: `base` + file, or relative to the page. */
function href(base: string, pagePath: string, file: string): string {
  if (base === '' || base.startsWith('.')) {
    const relative = posix.relative(posix.dirname(posix.join('/', pagePath)), posix.join('/', file));
    return relative.startsWith('.') ? relative : `./${relative}`;
  }
  return `${base.endsWith('/') ? base : `${base}/`}${file}`;
}
