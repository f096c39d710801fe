/** (b): the bare SDK, the naive way: import the SDK, then fetch the token, then register. */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { fail, fetchToken, importSdk, registerBare } from './page-support.js';

function Status() {
  const [status, setStatus] = useState('registering');
  useEffect(() => {
    (async () => {
      const sdk = await importSdk();
      const token = await fetchToken('initial');
      await registerBare(sdk, token);
      setStatus('registered');
    })().catch(fail);
  }, []);
  return <p id="status">{status}</p>;
}

createRoot(document.getElementById('root') as HTMLElement).render(<Status />);
