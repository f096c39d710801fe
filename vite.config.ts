/// <reference types="vitest/config" />
import { existsSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import dts from 'unplugin-dts/vite';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';

// Everything the package's users bring themselves (or Node has) stays out of the bundle.
const external = [/^react($|\/)/, /^react-dom($|\/)/, /^@apirtc\//, /^jose$/, /^socket\.io($|\/)/, /^node:/];

// The story tests run in Debian's Chromium (no browser download); CHROMIUM_PATH overrides it elsewhere, and
// without either, Playwright's own browser is used (`npx playwright install chromium`, e.g. on macOS).
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const chromium = {
  ...(chromiumPath ? { executablePath: chromiumPath } : {}),
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
    // Renewal and reconnect timers must run on time in every tab.
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  ],
};

export default defineConfig({
  plugins: [
    react(),
    dts({ tsconfigPath: './tsconfig.build.json', entryRoot: 'src' }),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: {
        index: 'src/index.ts',
        'server/index': 'src/server/index.ts',
        'cloud/index': 'src/cloud/index.ts',
        'cloud/cli': 'src/cloud/cli.ts',
        'vite/index': 'src/vite/index.ts',
        'devtools/index': 'src/devtools/index.ts',
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external,
      // The engine's lazy chunk keeps one name: the head-start plugin (src/vite) finds it in an app's bundle by it.
      output: { chunkFileNames: (chunk) => (chunk.name === 'runner' ? 'runner.js' : '[name]-[hash].js') },
    },
  },
  test: {
    // The story tests provoke SDK refusals on purpose (bad tokens, faults): drop the SDK's own log lines
    // from that project's output. Other projects' logs are untouched.
    onConsoleLog: (log, _type, entity) => !(entity?.project.name.startsWith('storybook') && /\]apiRTC\(|^Loading APIRTC_MODULE|^CustomEvent \{/.test(log)),
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.sdk.test.ts'],
          // Type tests (expectTypeOf in *.test-d.ts): checked by tsc, reported as tests.
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          // The real SDK needs a DOM; jsdom must fetch the <script> the SDK adds (docs/testing.md).
          name: 'jsdom',
          environment: 'jsdom',
          environmentOptions: { jsdom: { resources: 'usable' } },
          include: ['test/**/*.sdk.test.ts', 'test/react/**/*.test.tsx', 'test/devtools/**/*.test.tsx'],
        },
      },
      {
        // Every story in stories/ is a test: rendered in headless Chromium, its play function asserted,
        // against the local cloud and token endpoint that the globalSetup starts on 127.0.0.1.
        extends: true,
        plugins: [storybookTest({ configDir: '.storybook' })],
        test: {
          name: 'storybook',
          globalSetup: ['.storybook/vitest.global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: 'chromium' }],
            api: { host: '127.0.0.1' },
          },
        },
      },
    ],
  },
});
