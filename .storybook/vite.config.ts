import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Storybook's own Vite config. Without one, Storybook loads the root vite.config.ts (the library build),
 * whose imports (the .d.ts plugin, Vitest's Storybook and Playwright plugins) cost seconds of the server's
 * start before it even listened. `.storybook/main.ts` adds the demos' own settings in `viteFinal`.
 */
export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022' },
});
