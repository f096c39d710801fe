/**
 * (a) and (d): the package as an app uses it, JWT mode with `tokenUrl`. (d) is the same page built with the
 * head-start plugin (`apirtc-react-auth/vite`).
 */
import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider, useApiRtcSession, type SessionEvent, type SessionSnapshot } from '../../../src/index.js';
import { apiKey, bench, cloudUrl, fail, markRegistered, tokenUrl, userId } from './page-support.js';

const selectStatus = (snapshot: SessionSnapshot) => snapshot.status;
const selectRenew = (snapshot: SessionSnapshot) => snapshot.renew;

function onEvent(event: SessionEvent): void {
  bench.events.push({ type: event.type === 'status' ? `status ${event.status}` : event.type, t: performance.now() });
  if (event.type === 'registered') markRegistered();
  if (event.type === 'error') fail(event.error);
}

function Status() {
  const status = useApiRtcSession(selectStatus);
  const renew = useApiRtcSession(selectRenew);
  useEffect(() => {
    bench.renew = async () => {
      const start = performance.now();
      await renew();
      const after = bench.events.filter((event) => event.t >= start);
      const gone = after.find((event) => event.type === 'unregistered')?.t ?? NaN;
      const registered = after.find((event) => event.type === 'registered')?.t ?? NaN;
      return { start, gone, registered };
    };
  }, [renew]);
  return <p id="status">{status}</p>;
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <AuthProvider auth={{ mode: 'jwt', apiKey, userId, tokenUrl }} cloudUrl={cloudUrl} onEvent={onEvent}>
    <Status />
  </AuthProvider>,
);
