/**
 * A record of what this page's ApiRTC session says about its contacts' presence, change by change.
 *
 * Recorded from the SDK's own `contactListUpdate` events as they come, outside React: an offline and the
 * online that follows it a few milliseconds later are two entries, even if React would render them in one go.
 * One record per page, as there is one session per page (each frame of the two-user demo is a page).
 */
import type { Session } from '@apirtc/apirtc';

export type Presence = 'online' | 'offline';

export interface PresenceChange {
  /** 1, 2, 3... in the order the SDK reported them. */
  seq: number;
  userId: string;
  presence: Presence;
}

export interface PresenceSnapshot {
  changes: readonly PresenceChange[];
  /** Who is online now, in the order they came online. */
  online: readonly string[];
}

interface ContactLike {
  getId(): string | number;
}

/** The payload of the SDK's `contactListUpdate` (see docs/local-cloud.md, "SDK facts"). */
interface ContactListUpdate {
  joinedGroup?: Record<string, ContactLike[] | undefined>;
  leftGroup?: Record<string, ContactLike[] | undefined>;
}

export class PresenceRecord {
  readonly #group: string;
  readonly #listeners = new Set<() => void>();
  #snapshot: PresenceSnapshot = { changes: [], online: [] };
  #session: Session | undefined;

  constructor(group: string) {
    this.#group = group;
  }

  /**
   * Follows `session` (the page's current one): its updates are recorded until another session (or none)
   * is followed. Idempotent: StrictMode's second effect run changes nothing. The SDK hands the updates it
   * received before anyone listened to the first listener only, so the listener stays for the session's life.
   */
  follow(session: Session | undefined): void {
    if (session === this.#session) return;
    this.#session?.removeListener('contactListUpdate', this.#onUpdate);
    this.#session = session;
    session?.on('contactListUpdate', this.#onUpdate);
  }

  readonly #onUpdate = (update: ContactListUpdate): void => {
    const ids = (byGroup: ContactListUpdate['joinedGroup']) => (byGroup?.[this.#group] ?? []).map((contact) => String(contact.getId()));
    for (const userId of ids(update.leftGroup)) this.#set(userId, 'offline');
    for (const userId of ids(update.joinedGroup)) this.#set(userId, 'online');
  };

  /** Records a change only: an `online` for a contact already online (new userData, say) is not one. */
  #set(userId: string, presence: Presence): void {
    const { changes, online } = this.#snapshot;
    if (online.includes(userId) === (presence === 'online')) return;
    this.#snapshot = {
      changes: [...changes, { seq: changes.length + 1, userId, presence }],
      online: presence === 'online' ? [...online, userId] : online.filter((id) => id !== userId),
    };
    for (const listener of [...this.#listeners]) listener();
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): PresenceSnapshot => this.#snapshot;
}
