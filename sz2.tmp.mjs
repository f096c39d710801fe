import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const mangle = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const r = await build({ entryPoints: ['src/index.ts'], bundle: true, minify: true, write: false, format: 'esm', outdir: '/tmp/szout', external: ['react', 'react-dom', 'react/jsx-runtime', '@apirtc/apirtc', '@apirtc/react-lib'], jsx: 'automatic', logLevel: 'error', ...(mangle ? { mangleProps: mangle } : {}) });
let total = 0; for (const f of r.outputFiles) total += gzipSync(f.contents, { level: 9 }).length;
console.log(r.outputFiles.map(f => f.contents.length), total);
