import { ApiRtcSessionDevtools, type DevtoolsEventSource } from '../../src/devtools/index.js';

/**
 * What every demo shows of its session: the package's own devtools panel (`apirtc-react-auth/devtools`),
 * in place and always on. The same component an app drops in for development.
 */
export function SessionPanel({ title = 'useApiRtcSession()', events }: { title?: string; events?: DevtoolsEventSource }) {
  return <ApiRtcSessionDevtools enabled position="inline" title={title} {...(events ? { events } : {})} />;
}
