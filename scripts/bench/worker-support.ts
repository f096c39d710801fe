/** Helpers for the *.bench-run.tsx files (Vitest jsdom workers). */

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with `what` if `promise` has not settled within `ms` (a stuck run fails the bench instead of hanging it). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface CloudSessions {
  sessions: { channelId: string; jti: string | undefined }[];
}

/**
 * Waits (outside any timed window) until the cloud's live sessions are exactly `expected` (by jti or
 * channelId), so that each run starts with the SDK's page-wide socket layer idle. The cloud runs in the
 * orchestrator's process; this reads its control route GET /_cloud/state, after clearing its records
 * (the orchestrator keeps its own copy of the events), so the answer stays small.
 */
export async function cloudSettled(cloudUrl: string, expected: (sessions: CloudSessions['sessions']) => boolean, timeoutMs = 10_000): Promise<void> {
  await fetch(`${cloudUrl}/_cloud/records/clear`, { method: 'POST' });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await (await fetch(`${cloudUrl}/_cloud/state`)).json()) as CloudSessions;
    if (expected(state.sessions)) return;
    if (Date.now() > deadline) throw new Error(`the cloud did not settle: ${state.sessions.length} live session(s)`);
    await sleep(5);
  }
}

export const noSessions = (sessions: CloudSessions['sessions']): boolean => sessions.length === 0;
