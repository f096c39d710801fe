/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import dts from 'unplugin-dts/vite';

// Everything the package's users bring themselves (or Node has) stays out of the bundle.
const external = [/^react($|\/)/, /^react-dom($|\/)/, /^@apirtc\//, /^jose$/, /^socket\.io($|\/)/, /^node:/];

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
      },
      formats: ['es'],
    },
    rolldownOptions: { external },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.sdk.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The real SDK needs a DOM; jsdom must fetch the <script> the SDK adds (see apirtc-sdk-notes.md).
          name: 'jsdom',
          environment: 'jsdom',
          environmentOptions: { jsdom: { resources: 'usable' } },
          include: ['test/**/*.sdk.test.ts', 'test/react/**/*.test.tsx'],
        },
      },
    ],
  },
});
