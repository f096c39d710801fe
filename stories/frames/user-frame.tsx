/**
 * The entry of one user's frame in the two-user demo: loaded by the frame's page (./frame-config.ts,
 * `userFramePage`), so it runs in the frame's window with its own React and SDK.
 */
// The frame's document is not Vite's index.html: React's fast-refresh runtime is set up here instead.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../components/demo.css';
import { readUserFrameConfig } from './frame-config.js';
import { UserPage } from './UserPage.js';

/** Renders the user that `search` (the frame's query, see `userFrameUrl`) names into `container`. */
export function mountUserFrame(container: HTMLElement, search: string): void {
  const config = readUserFrameConfig(search);
  document.title = `${config.userId}'s page`;
  const root = createRoot(container);
  root.render(
    <StrictMode>
      <UserPage config={config} />
    </StrictMode>,
  );
  // The frame leaves the demo: unmounting ends the session with ua.unregister() before the socket goes.
  window.addEventListener('pagehide', () => root.unmount(), { once: true });
}
