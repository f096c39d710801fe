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
    modifyEsbuildConfig: (config) => ({ ...config, external: [...(config.external ?? []), './runner-*'] }),
  },
  {
    // Loaded in parallel with the SDK's chunk (1.4 MB), on the first register, so 4 KB is not the goal here:
    // see BENCHMARKS.md ("Size") for why the engine is not that small and what it weighs module by module.
    name: 'the whole engine (first chunk + lazy runner with jose decodeJwt)',
    path: 'dist/index.js',
    limit: '9.5 KB',
    gzip: true,
    ignore: peers,
  },
];
