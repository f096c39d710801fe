/** (c): the bare SDK, the careful way: fetch the token while the SDK loads, then register. */
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { fail, fetchToken, importSdk, registerBare } from './page-support.js';

function Status() {
  const [status, setStatus] = useState('registering');
  useEffect(() => {
    (async () => {
      const [sdk, token] = await Promise.all([importSdk(), fetchToken('initial')]);
      await registerBare(sdk, token);
      setStatus('registered');
    })().catch(fail);
  }, []);
  return <p id="status">{status}</p>;
}

createRoot(document.getElementById('root') as HTMLElement).render(<Status />);
