import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';
import { AuthProvider, useApiRtcSession } from '../../src/index.js';

it('renders on a server (no DOM): no window touched, no SDK loaded, status idle', () => {
  expect(typeof window).toBe('undefined');
  function Status() {
    return createElement('p', null, `status: ${useApiRtcSession((s) => s.status)}`);
  }
  const html = renderToString(
    createElement(AuthProvider, { auth: { mode: 'apiKey', apiKey: 'key' }, children: createElement(Status) }),
  );
  expect(html).toBe('<p>status: idle</p>');
  expect('apiRTC' in globalThis).toBe(false);
});
