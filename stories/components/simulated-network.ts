import type { Environment, EventSourceLike } from '../../src/index.js';

const NETWORK_EVENTS = new Set(['online', 'offline']);

/**
 * A page cannot take its browser offline, so the offline demo simulates it through the engine's
 * `environment` seam (what `navigator.onLine` and the window's `online`/`offline` events would say).
 * Every other event (focus, pageshow, visibilitychange) comes from the real window and document.
 */
export class SimulatedNetwork implements Environment {
  readonly window: EventSourceLike | undefined;
  readonly document: EventSourceLike | undefined = typeof document === 'undefined' ? undefined : document;
  #online = true;
  readonly #network = new EventTarget();
  readonly #listeners = new Set<() => void>();

  constructor() {
    const real = typeof window === 'undefined' ? undefined : window;
    this.window = {
      addEventListener: (type, listener) => {
        real?.addEventListener(type, listener);
        if (NETWORK_EVENTS.has(type)) this.#network.addEventListener(type, listener);
      },
      removeEventListener: (type, listener) => {
        real?.removeEventListener(type, listener);
        if (NETWORK_EVENTS.has(type)) this.#network.removeEventListener(type, listener);
      },
    };
  }

  isOnline = (): boolean => this.#online && (typeof navigator === 'undefined' || navigator.onLine !== false);

  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    this.#network.dispatchEvent(new Event(online ? 'online' : 'offline'));
    for (const listener of [...this.#listeners]) listener();
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): boolean => this.#online;
}
