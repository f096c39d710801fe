import demoServices from 'virtual:apirtc-demo-services';
import { postJson } from './http.js';
import type { BadTokenKind, DemoServices } from './types.js';

/** The local services `npm start` (or the story tests) started; null in a static build. */
export const services: DemoServices | null = demoServices;

/** For render functions: the preview's decorator already showed a notice when there are no services. */
export function requireServices(): DemoServices {
  if (!services) throw new Error('the demos need the local services: run npm start');
  return services;
}

/** A token that is wrong in one way, signed by the demo server (the browser never holds a secret). */
export async function fetchBadToken(kind: BadTokenKind, userId: string, signal?: AbortSignal): Promise<string> {
  const { token } = await postJson<{ token: string }>(`${requireServices().demoApiUrl}/bad-token`, { kind, userId }, signal);
  return token;
}

/**
 * The local cloud's fault routes (`POST /_cloud/faults/<name>`, see src/cloud/control.ts), on the
 * faults demos' own cloud.
 */
export function cloudFault<T = unknown>(name: 'drop' | 'kick' | 'down' | 'refuse' | 'rest-errors' | 'socket-script' | 'reset', body: object = {}): Promise<T> {
  return postJson<T>(`${requireServices().faultsCloudUrl}/_cloud/faults/${name}`, body);
}

/** Brings the faults cloud back up: it cannot answer its own `/up` while down, so the demo server does it. */
export function faultsCloudUp(): Promise<{ up: boolean }> {
  return postJson(`${requireServices().demoApiUrl}/faults-cloud/up`);
}

/** Clears every fault of the faults cloud and brings it up: each fault demo starts from a healthy cloud. */
export function resetFaultsCloud(): Promise<{ up: boolean }> {
  return postJson(`${requireServices().demoApiUrl}/faults-cloud/reset`);
}
