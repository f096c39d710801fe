import type { Decorator, Preview } from '@storybook/react-vite';
import { StrictMode } from 'react';
import { services } from '../stories/support/services.js';
import '../stories/components/demo.css';

/**
 * A demo loads three chunks only once it renders (the engine, the SDK, the devtools panel), then their imports,
 * one round trip per level; and Storybook loads react-dom's client only then too. In Storybook's story view
 * they are asked for here, as the preview starts, so that they load while the story's own modules do: the same
 * module instances, only sooner. A failure here is left to the real import to report.
 */
if (services && typeof location !== 'undefined' && new URLSearchParams(location.search).get('viewMode') === 'story') {
  for (const load of [() => import('../src/core/engine/runner.js'), () => import('@apirtc/apirtc'), () => import('../src/devtools/Panel.js'), () => import('react-dom/client')]) {
    load().catch(() => undefined);
  }
}

/** Every demo renders inside React.StrictMode: double mounts must never leave a second session. */
const strictMode: Decorator = (Story) => (
  <StrictMode>
    <Story />
  </StrictMode>
);

/** A static build has no local cloud: say how to get one instead of failing. */
const needsServices: Decorator = (Story, context) => {
  if (services || context.parameters.needsServices === false) return <Story />;
  return (
    <div className="demo" role="note">
      <p>
        This demo registers against the local ApiRTC cloud that <code>npm start</code> runs next to Storybook. This is a
        static build without it: clone the repository and run <code>npm install &amp;&amp; npm start</code>.
      </p>
    </div>
  );
};

const preview: Preview = {
  decorators: [needsServices, strictMode],
  parameters: {
    // Storybook keeps a failing play function's error for its Interactions panel, which is off here (see
    // main.ts): thrown, it shows over the story instead of only in the console.
    throwPlayFunctionExceptions: true,
    layout: 'padded',
    options: {
      storySort: {
        // Demos first: Storybook opens on the first one, registering against the local cloud.
        order: [
          'Demos',
          ['Anonymous (apiKey)', 'Login and password', 'JWT renewal', 'Bad tokens', 'Faults', 'With react-lib', '*', 'Live cloud'],
          // Under a group, not at the top level: Storybook preloads the first demo's neighbours, and a top-level docs
          // page is one (with the 1.8 MB docs blocks) while the demo registers.
          'Guides',
          ['Introduction', '*'],
          '*',
          'Docs',
          ['AuthProvider', 'useApiRtcSession'],
        ],
      },
    },
    controls: { expanded: true },
    docs: {
      // Each story of a docs page in its own iframe: the SDK keeps one socket per page.
      story: { inline: false, height: '420px' },
      codePanel: true,
    },
  },
};

export default preview;
