/**
 * The parts of the browser the engine listens to. Absent during server-side rendering,
 * injectable in tests.
 */
export interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Where the engine hears about wake-ups and connectivity: the page's window and document, or a test double. */
export interface Environment {
  /** Receives `focus`, `online`, `offline`, `pageshow`. */
  window?: EventSourceLike | undefined;
  /** Receives `visibilitychange`. */
  document?: EventSourceLike | undefined;
  /** False while the browser knows it is offline. */
  isOnline(): boolean;
  /**
   * What identifies the page: engines on the same page share its one ApiRTC session slot (the SDK's socket
   * layer is page-wide). Default: `window` (or, without one, the JavaScript realm).
   */
  page?: object | undefined;
}

export function browserEnvironment(): Environment {
  const win = typeof window === 'undefined' ? undefined : window;
  const doc = typeof document === 'undefined' ? undefined : document;
  return {
    window: win,
    document: doc,
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
  };
}

/** Listens to `types` on `target`; returns the function that removes every listener. */
export function listen(target: EventSourceLike | undefined, types: readonly string[], listener: () => void): () => void {
  if (!target) return () => {};
  for (const type of types) target.addEventListener(type, listener);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    for (const type of types) target.removeEventListener(type, listener);
  };
}
