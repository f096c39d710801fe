import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/react-vite';
import { localServices } from './local-services.js';

const config: StorybookConfig = {
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-vitest'],
  // Not the root vite.config.ts (the library build): loading it cost seconds before the server listened.
  framework: { name: '@storybook/react-vite', options: { builder: { viteConfigPath: fileURLToPath(new URL('./vite.config.ts', import.meta.url)) } } },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // The demos are the product page: no Storybook onboarding checklist in the sidebar or the menu. No change
  // detection either (the sidebar's marks on stories touched since the last commit): it builds a module graph of
  // every story as the first demo loads. No Interactions panel: it redrew itself on each step of a play function,
  // in the manager, on the main thread the preview shares with it (the page's script as the first demo registered:
  // 2.7 s with it, 2.1 s without; BENCHMARKS.md). The plays still run, in the browser and in `npm test`, and a
  // failing one shows its error over the story; each demo shows its own state and event log.
  features: { sidebarOnboardingChecklist: false, menuOnboardingChecklist: false, changeDetection: false, interactions: false },
  // No props tables from react-docgen: nothing here shows one (the reference is the TSDoc), and parsing every
  // transformed file with Babel was half of the server's CPU on a cold start.
  typescript: { reactDocgen: false },
  viteFinal(viteConfig) {
    return {
      ...viteConfig,
      // Pre-bundled up front: a dependency found late makes Vite re-optimize and reload the page mid-test.
      optimizeDeps: {
        ...viteConfig.optimizeDeps,
        include: [...(viteConfig.optimizeDeps?.include ?? []), '@apirtc/apirtc', '@apirtc/react-lib', 'jose'],
      },
      build: { ...viteConfig.build, chunkSizeWarningLimit: 2048 },
      plugins: [...(viteConfig.plugins ?? []), localServices()],
    };
  },
};

export default config;
