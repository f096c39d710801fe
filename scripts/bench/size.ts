/**
 * Part (f): min+gzip of our browser entry next to the peers' session hooks, each bundled the same way:
 * esbuild, minified ESM for the browser, a tiny entry that imports just that hook/provider, react,
 * react-dom and @apirtc/apirtc external, NODE_ENV=production, gzip level 9. Nothing is written to disk.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type OutputFile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What every bundle leaves out: what the app brings anyway (React) and the ApiRTC SDK. */
const BASE_EXTERNAL = ['react', 'react/*', 'react-dom', 'react-dom/*', '@apirtc/apirtc'];

export interface SizeEntry {
  id: string;
  label: string;
  /** The whole entry source. */
  source: string;
  external?: string[];
}

export const SIZE_ENTRIES: readonly SizeEntry[] = [
  { id: 'ours', label: 'apirtc-react-auth: AuthProvider + useApiRtcSession', source: "export { AuthProvider, useApiRtcSession } from './src/index.ts';" },
  { id: 'ours-full', label: 'apirtc-react-auth: every export of the browser entry', source: "export * from './src/index.ts';" },
  { id: 'react-lib', label: '@apirtc/react-lib: useSession', source: "export { useSession } from '@apirtc/react-lib';" },
  { id: 'oidc', label: 'react-oidc-context: AuthProvider + useAuth (with oidc-client-ts)', source: "export { AuthProvider, useAuth } from 'react-oidc-context';" },
  { id: 'livekit', label: '@livekit/components-react: useSession (with livekit-client)', source: "export { useSession } from '@livekit/components-react';" },
  {
    id: 'livekit-no-sdk',
    label: '@livekit/components-react: useSession, livekit-client external',
    source: "export { useSession } from '@livekit/components-react';",
    external: ['livekit-client'],
  },
];

export interface SizeResult {
  id: string;
  label: string;
  /** The entry chunk and the chunks it imports statically: what loads before first render. */
  first: { min: number; gzip: number; files: number };
  /** Everything the entry can load, lazy (dynamic import) chunks included. */
  total: { min: number; gzip: number; files: number };
  /** Minified bytes each source module puts in the output (esbuild's metafile), all chunks together. */
  inputs: { path: string; min: number }[];
}

const gzipSize = (file: OutputFile): number => gzipSync(file.contents, { level: 9 }).length;

/** Output paths reachable from `start` through imports of the given kinds. */
function reachable(metafile: Metafile, start: string, kinds: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.external || !kinds.has(imported.kind) || seen.has(imported.path)) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return seen;
}

export async function measureSize(entry: SizeEntry): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: entry.source, resolveDir: ROOT, sourcefile: `${entry.id}-entry.js`, loader: 'ts' },
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir: 'bench-out',
    write: false,
    metafile: true,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: [...BASE_EXTERNAL, ...(entry.external ?? [])],
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.filter((file) => file.path.endsWith('.js')).map((file) => [file.path, file]));
  const entryOutput = Object.entries(result.metafile.outputs).find(([path, output]) => output.entryPoint !== undefined && path.endsWith('.js'));
  if (!entryOutput) throw new Error(`${entry.id}: no entry chunk`);
  const sum = (paths: Set<string>) => {
    let min = 0;
    let gzip = 0;
    for (const path of paths) {
      const file = files.get(`${ROOT}${path}`) ?? files.get(path);
      if (!file) throw new Error(`${entry.id}: output ${path} not found`);
      min += file.contents.length;
      gzip += gzipSize(file);
    }
    return { min, gzip, files: paths.size };
  };
  return {
    id: entry.id,
    label: entry.label,
    first: sum(reachable(result.metafile, entryOutput[0], new Set(['import-statement']))),
    total: sum(reachable(result.metafile, entryOutput[0], new Set(['import-statement', 'dynamic-import']))),
    inputs: Object.values(result.metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .map(([path, input]) => ({ path, min: input.bytesInOutput }))
      .filter((input) => input.min > 0),
  };
}

export async function measureSizes(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const entry of SIZE_ENTRIES) results.push(await measureSize(entry));
  return results;
}
