import type { StorybookConfig } from '@storybook/react-vite';
import type { PluginOption } from 'vite';
import { localServices } from './local-services.js';

/** Plugins of the root vite.config.ts that belong to the library build, not to Storybook. */
const LIBRARY_ONLY_PLUGINS = new Set(['unplugin-dts']);

function pluginName(plugin: PluginOption): string | undefined {
  return plugin && typeof plugin === 'object' && 'name' in plugin ? plugin.name : undefined;
}

function withoutLibraryPlugins(plugins: PluginOption[] = []): PluginOption[] {
  return plugins.flatMap((plugin): PluginOption[] => {
    if (Array.isArray(plugin)) return withoutLibraryPlugins(plugin);
    return LIBRARY_ONLY_PLUGINS.has(pluginName(plugin) ?? '') ? [] : [plugin];
  });
}

const config: StorybookConfig = {
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-vitest'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // The demos are the product page: no Storybook onboarding checklist in the sidebar or the menu.
  features: { sidebarOnboardingChecklist: false, menuOnboardingChecklist: false },
  // No props tables from react-docgen: nothing here shows one (the reference is the TSDoc), and parsing every
  // transformed file with Babel was half of the server's CPU on a cold start.
  typescript: { reactDocgen: false },
  // Storybook's Vite builder loads the root vite.config.ts (the library build): keep only what the demos need.
  viteFinal(viteConfig) {
    const { test: _test, ...rest } = viteConfig as typeof viteConfig & { test?: unknown };
    const { lib: _lib, rolldownOptions: _rolldownOptions, ...build } = rest.build ?? {};
    return {
      ...rest,
      // Pre-bundled up front: a dependency found late makes Vite re-optimize and reload the page mid-test.
      optimizeDeps: { ...rest.optimizeDeps, include: [...(rest.optimizeDeps?.include ?? []), '@apirtc/apirtc', '@apirtc/react-lib', 'jose'] },
      build: { ...build, chunkSizeWarningLimit: 2048 },
      plugins: [...withoutLibraryPlugins(rest.plugins), localServices()],
    };
  },
};

export default config;
