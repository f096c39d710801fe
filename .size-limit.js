// Size budgets (min+gzip) for what a browser downloads; `npm test` builds dist/ first, then checks these.
// react, react-dom and @apirtc/* are the app's own dependencies, never bundled with ours.
const peers = ['react', 'react-dom', 'react/jsx-runtime', '@apirtc/apirtc', '@apirtc/react-lib'];

export default [
  {
    name: 'first chunk (AuthProvider, useApiRtcSession, the engine store)',
    path: 'dist/index.js',
    limit: '3 KB',
    gzip: true,
    ignore: peers,
    // The runner is a dynamic import: it loads on the first action, not with the page.
    modifyEsbuildConfig: (config) => ({ ...config, external: [...(config.external ?? []), './runner.js'] }),
  },
  {
    // Loaded in parallel with the SDK's chunk (340 KB gzip), on the first register. BENCHMARKS.md ("Size") says
    // what it weighs module by module: the phase engine, its real-world recovery and the input checks measure
    // 12.7 KB; the budget keeps 0.3 KB of room, so that any growth is a visible decision.
    name: 'the whole engine (first chunk + lazy runner with jose decodeJwt)',
    path: 'dist/index.js',
    limit: '13 KB',
    gzip: true,
    ignore: peers,
  },
  {
    // What `import { ApiRtcSessionDevtools } from 'apirtc-react-auth/devtools'` adds to an app that already has the
    // main entry: the lazy wrapper and the event log helper. The panel is a dynamic import, fetched when it renders.
    name: 'devtools entry (without the main entry it shares, without the lazy panel)',
    path: 'dist/devtools/index.js',
    limit: '1 KB',
    gzip: true,
    ignore: peers,
    modifyEsbuildConfig: (config) => ({ ...config, external: [...(config.external ?? []), '../src-*', '../errors-*', '../Panel-*'] }),
  },
  {
    name: 'devtools panel (the lazy chunk: status, countdowns, timeline, registrations, event log)',
    path: 'dist/Panel-*.js',
    limit: '5 KB',
    gzip: true,
    ignore: peers,
  },
];
