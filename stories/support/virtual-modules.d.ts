/// <reference types="vite/client" />
/**
 * Served by the Vite plugin in .storybook/local-services.ts: the services that `npm start` (Storybook)
 * or the story tests (Vitest's globalSetup, through inject) started; null in a static build.
 */
declare module 'virtual:apirtc-demo-services' {
  import type { DemoServices } from './types.js';

  const services: DemoServices | null;
  export default services;
}
