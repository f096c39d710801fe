import type { Environment } from './environment.js';
import { aborted, ApiRtcAuthError } from './errors.js';

/**
 * One ApiRTC session per page. The SDK's socket layer is page-wide, so a new registration waits until every
 * other session of the page is gone: an `ua.unregister()` in flight, a superseded `register()` still settling.
 * Whoever ends a session holds the lock with that work (always bounded by a timeout); `idle()` waits for it.
 */
export interface PageLock {
  /** Holds the lock until `work` settles; returns `work`. */
  hold<T>(work: Promise<T>): Promise<T>;
  /** Resolves once nothing holds the lock (work added while waiting too); rejects when `signal` aborts. */
  idle(signal: AbortSignal): Promise<void>;
  /**
   * Takes the page's one session for `owner` (an engine), named by `identity` (its uri and user, never a
   * secret). Returns undefined when it is `owner`'s now, else the identity of the engine that holds it.
   */
  claim(owner: object, identity: string): string | undefined;
  /** Gives the page's session back, if `owner` holds it. */
  free(owner: object): void;
}

const locks = new WeakMap<object, PageLock>();

/** The lock of the page `environment` is on: its `page`, else its `window`, else this JavaScript realm. */
export function pageLockOf(environment: Environment): PageLock {
  const page = environment.page ?? environment.window ?? globalThis;
  let lock = locks.get(page);
  if (!lock) locks.set(page, (lock = createPageLock()));
  return lock;
}

function createPageLock(): PageLock {
  const held = new Set<Promise<unknown>>();
  let holder: { owner: object; identity: string } | undefined;
  return {
    claim(owner, identity) {
      if (holder && holder.owner !== owner) return holder.identity;
      holder = { owner, identity };
      return undefined;
    },
    free(owner) {
      if (holder?.owner === owner) holder = undefined;
    },
    hold(work) {
      held.add(work);
      const done = () => held.delete(work);
      work.then(done, done);
      return work;
    },
    async idle(signal) {
      let abort = () => {};
      const gaveUp = new Promise<never>((_resolve, reject) => {
        abort = () => reject(signal.reason instanceof ApiRtcAuthError ? signal.reason : aborted('aborted'));
        if (signal.aborted) abort();
        signal.addEventListener('abort', abort, { once: true });
      });
      gaveUp.catch(() => {});
      try {
        while (held.size > 0) await Promise.race([Promise.allSettled(held), gaveUp]);
        if (signal.aborted) await gaveUp;
      } finally {
        signal.removeEventListener('abort', abort); // the attempt goes on with the same signal: leave nothing on it
      }
    },
  };
}
