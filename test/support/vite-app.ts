/**
 * A small app built with Vite as a user's would be, the package aliased to its source: the provider on a page,
 * registering on load. For tests of what lands in which chunk and what the HTML preloads.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build, type PluginOption } from 'vite';

const root = resolve(import.meta.dirname, '../..');

/** A string only the SDK's code holds (one of its log tags). */
export const SDK_MARKER = 'ApiCC_Channel';
/** A string only the engine's lazy chunk holds (its SDK load failure). */
export const ENGINE_MARKER = 'could not load @apirtc/apirtc';

const MAIN = `import { createRoot } from 'react-dom/client';
import { AuthProvider, useApiRtcSession } from 'apirtc-react-auth';
function Status() { return <p>{useApiRtcSession((s) => s.status)}</p>; }
createRoot(document.getElementById('root')!).render(
  <AuthProvider auth={{ mode: 'apiKey', apiKey: 'key' }} cloudUrl="http://127.0.0.1:9"><Status /></AuthProvider>,
);`;

export interface BuiltApp {
  /** Each HTML page by its path under the output directory. */
  html: Map<string, string>;
  /** Each JS chunk's code by its path under the output directory (`assets/...`). */
  chunks: Map<string, string>;
  /** The chunk holding `marker`, if one does. */
  holding(marker: string): string | undefined;
  /** The entry chunk of `index.html`. */
  entry: string | undefined;
}

/** The app's sources in a fresh directory inside node_modules (so that react and the SDK resolve from the repo). */
export async function createProviderApp(pages: Record<string, string> = {}) {
  await mkdir(join(root, 'node_modules/.cache'), { recursive: true });
  const dir = await mkdtemp(join(root, 'node_modules/.cache/provider-app-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><title>app</title></head><body><div id="root"></div><script type="module" src="/main.tsx"></script></body></html>');
  await writeFile(join(dir, 'main.tsx'), MAIN);
  for (const [file, text] of Object.entries(pages)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return {
    dir,
    /** Builds into `dist-<name>`; `inputs` are the HTML pages (default: index.html). */
    async build(name: string, { plugins = [], base = '/', minify = false, inputs = ['index.html'] }: { plugins?: PluginOption[]; base?: string; minify?: boolean; inputs?: string[] } = {}): Promise<BuiltApp> {
      const outDir = join(dir, `dist-${name}`);
      await build({
        root: dir,
        base,
        configFile: false,
        logLevel: 'silent',
        plugins: [react(), ...plugins],
        resolve: { alias: { 'apirtc-react-auth': join(root, 'src/index.ts') } },
        build: { outDir, minify, rolldownOptions: { input: Object.fromEntries(inputs.map((file) => [file.replace(/\W+/g, '-'), join(dir, file)])) } },
      });
      const chunks = new Map<string, string>();
      for (const file of await readdir(join(outDir, 'assets'))) if (file.endsWith('.js')) chunks.set(`assets/${file}`, await readFile(join(outDir, 'assets', file), 'utf8'));
      const html = new Map<string, string>();
      for (const file of inputs) html.set(file, await readFile(join(outDir, file), 'utf8'));
      const holding = (marker: string) => [...chunks].find(([, code]) => code.includes(marker))?.[0];
      const entry = /<script type="module" crossorigin src="[^"]*?(assets\/[^"]+)"/.exec(html.get('index.html') ?? '')?.[1];
      return { html, chunks, holding, entry };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
