import { useState, useSyncExternalStore } from 'react';
import { useApiRtcSession } from '../../src/index.js';
import { errorMessage } from '../support/http.js';
import { cloudFault, faultsCloudUp, resetFaultsCloud } from '../support/services.js';
import type { SimulatedNetwork } from './simulated-network.js';

/** How long "down" lasts at most: the local cloud comes back by itself after that (it cannot receive /up). */
const DOWN_FOR_MS = 60_000;

/**
 * Buttons that break the faults demos' local cloud through its HTTP control routes
 * (`POST /_cloud/faults/...`, src/cloud/control.ts), and an offline switch.
 */
export function FaultControls({ network }: { network: SimulatedNetwork }) {
  const sessionId = useApiRtcSession((s) => s.session?.getId());
  const online = useSyncExternalStore(network.subscribe, network.getSnapshot);
  const [refusing, setRefusing] = useState(false);
  const [withholding, setWithholding] = useState(false);
  const [last, setLast] = useState('—');

  const run = (label: string, action: () => Promise<unknown>) => {
    setLast(`${label}…`);
    action().then(
      (answer) => setLast(`${label}: ${JSON.stringify(answer)}`),
      (error: unknown) => setLast(`${label} failed: ${errorMessage(error)}`),
    );
  };
  // Drop and kick hit this demo's session only (the routes take a filter).
  const thisSession = sessionId === undefined ? {} : { channelId: sessionId };

  return (
    <section className="panel" aria-label="faults">
      <h3>Faults (the local cloud's control routes)</h3>
      <div className="actions">
        <button type="button" onClick={() => run('drop', () => cloudFault('drop', thisSession))}>
          Drop the connection
        </button>
        <button type="button" onClick={() => run('kick', () => cloudFault('kick', thisSession))}>
          Kick (server-side disconnect)
        </button>
        <button type="button" onClick={() => run('down', () => cloudFault('down', { forMs: DOWN_FOR_MS }))}>
          Take the cloud down
        </button>
        <button type="button" onClick={() => run('up', faultsCloudUp)}>
          Bring the cloud up
        </button>
        <button type="button" onClick={() => run('rest-errors', () => cloudFault('rest-errors', { status: 503, count: 3 }))}>
          Answer 503 to the next 3 REST calls
        </button>
      </div>
      <div className="actions">
        <label>
          <input
            type="checkbox"
            checked={refusing}
            onChange={(event) => {
              const enabled = event.target.checked;
              setRefusing(enabled);
              run(enabled ? 'refuse' : 'accept', () => cloudFault('refuse', { enabled }));
            }}
          />
          Refuse new handshakes
        </label>
        <label>
          <input
            type="checkbox"
            checked={withholding}
            onChange={(event) => {
              const enabled = event.target.checked;
              setWithholding(enabled);
              run(enabled ? 'withhold socket script' : 'serve socket script', () => cloudFault('socket-script', { enabled }));
            }}
          />
          Withhold the socket script (register() hangs)
        </label>
        <label>
          <input
            type="checkbox"
            checked={!online}
            onChange={(event) => {
              if (event.target.checked) {
                // Offline: the engine is told (navigator.onLine, 'offline') and the network really goes away.
                network.setOnline(false);
                run('offline', () => cloudFault('down', { forMs: DOWN_FOR_MS }));
              } else {
                run('online', async () => {
                  const answer = await faultsCloudUp();
                  network.setOnline(true);
                  return answer;
                });
              }
            }}
          />
          Offline (simulated)
        </label>
        <button
          type="button"
          onClick={() => {
            setRefusing(false);
            setWithholding(false);
            network.setOnline(true);
            run('reset', resetFaultsCloud);
          }}
        >
          Reset every fault
        </button>
      </div>
      <p className="note" data-testid="fault-answer">
        network: <b data-testid="network">{online ? 'online' : 'offline'}</b> · last control answer: {last}
      </p>
    </section>
  );
}
