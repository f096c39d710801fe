/** One connected session as presence sees it. */
export interface PresenceMember {
  socketId: string;
  apiKey: string;
  userId: string;
  userData: Record<string, unknown>;
}

/** The SDK's `updatePresence` message (read from its `updatePresence` / `manageConnectedUsersList`). */
export interface UpdatePresenceMessage {
  type: 'updatePresence';
  group: string;
  state: 'online' | 'offline';
  connectedUsersList: string[];
  connectedUsersListWithStatus: { userId: string; userData?: Record<string, unknown> }[];
}

export type PresenceSend = (socketId: string, message: UpdatePresenceMessage) => void;

/** The SDK's default group when `register()` names none: it joins and subscribes to it. */
export const DEFAULT_PRESENCE_GROUP = 'default';

/** Groups are per apiKey (an enterprise's groups are its own). */
const groupKey = (apiKey: string, group: string) => `${apiKey}\u0000${group}`;

/**
 * Presence groups: who is in which group (per apiKey), who subscribes to which, and the `updatePresence`
 * messages subscribers get. A user id with several sockets in a group (one page's overlapping
 * registrations) is online until its last socket leaves.
 */
export class Presence {
  readonly #send: PresenceSend;
  readonly #members = new Map<string, PresenceMember>();
  /** group key -> socket ids in it / subscribed to it. */
  readonly #joined = new Map<string, Set<string>>();
  readonly #subscribed = new Map<string, Set<string>>();

  constructor(send: PresenceSend) {
    this.#send = send;
  }

  add(member: PresenceMember): void {
    this.#members.set(member.socketId, member);
  }

  /** Joins groups: its subscribers who could not see this user id before get `online`. */
  join(socketId: string, groups: readonly string[]): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    for (const group of groups) {
      const key = groupKey(member.apiKey, group);
      const sockets = this.#set(this.#joined, key);
      if (sockets.has(socketId)) continue;
      const wasOnline = this.#isOnline(key, member.userId);
      sockets.add(socketId);
      if (!wasOnline) this.#tell(key, group, 'online', member);
    }
  }

  /** Leaves groups: once no socket of the user id is left in a group, its subscribers get `offline`. */
  leave(socketId: string, groups: readonly string[]): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    for (const group of groups) {
      const key = groupKey(member.apiKey, group);
      const sockets = this.#joined.get(key);
      if (!sockets?.delete(socketId)) continue;
      if (sockets.size === 0) this.#joined.delete(key);
      if (!this.#isOnline(key, member.userId)) this.#tell(key, group, 'offline', member);
    }
  }

  /** Subscribes: the socket gets one `online` message listing who is in each group now (itself left out). */
  subscribe(socketId: string, groups: readonly string[]): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    for (const group of groups) {
      const key = groupKey(member.apiKey, group);
      this.#set(this.#subscribed, key).add(socketId);
      const others = this.#usersIn(key).filter((user) => user.userId !== member.userId);
      if (others.length > 0) this.#send(socketId, message(group, 'online', others));
    }
  }

  unsubscribe(socketId: string, groups: readonly string[]): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    for (const group of groups) {
      const key = groupKey(member.apiKey, group);
      const sockets = this.#subscribed.get(key);
      sockets?.delete(socketId);
      if (sockets?.size === 0) this.#subscribed.delete(key);
    }
  }

  /** New userData (the SDK's setUserData): subscribers of its groups get `online` with it. */
  updateUserData(socketId: string, userData: Record<string, unknown>): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    member.userData = { ...member.userData, ...userData };
    for (const group of this.groupsOf(socketId)) this.#tell(groupKey(member.apiKey, group), group, 'online', member);
  }

  /** A socket closed: it leaves every group and subscription. */
  remove(socketId: string): void {
    const member = this.#members.get(socketId);
    if (!member) return;
    this.leave(socketId, this.groupsOf(socketId));
    for (const [key, sockets] of this.#subscribed) {
      sockets.delete(socketId);
      if (sockets.size === 0) this.#subscribed.delete(key);
    }
    this.#members.delete(socketId);
  }

  /** The groups a socket is in. */
  groupsOf(socketId: string): string[] {
    const member = this.#members.get(socketId);
    if (!member) return [];
    const prefix = groupKey(member.apiKey, '');
    return [...this.#joined].filter(([key, sockets]) => key.startsWith(prefix) && sockets.has(socketId)).map(([key]) => key.slice(prefix.length));
  }

  /** The user ids online in a group of an apiKey. */
  usersIn(apiKey: string, group: string): string[] {
    return this.#usersIn(groupKey(apiKey, group)).map((member) => member.userId);
  }

  #set(map: Map<string, Set<string>>, key: string): Set<string> {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  }

  #isOnline(key: string, userId: string): boolean {
    return this.#usersIn(key).some((member) => member.userId === userId);
  }

  /** One member per user id (its latest socket). */
  #usersIn(key: string): PresenceMember[] {
    const byUser = new Map<string, PresenceMember>();
    for (const socketId of this.#joined.get(key) ?? []) {
      const member = this.#members.get(socketId);
      if (member) byUser.set(member.userId, member);
    }
    return [...byUser.values()];
  }

  #tell(key: string, group: string, state: 'online' | 'offline', member: PresenceMember): void {
    for (const socketId of this.#subscribed.get(key) ?? []) {
      const subscriber = this.#members.get(socketId);
      if (subscriber && subscriber.userId !== member.userId) this.#send(socketId, message(group, state, [member]));
    }
  }
}

function message(group: string, state: 'online' | 'offline', members: readonly PresenceMember[]): UpdatePresenceMessage {
  return {
    type: 'updatePresence',
    group,
    state,
    connectedUsersList: members.map((member) => member.userId),
    connectedUsersListWithStatus: members.map((member) => (state === 'online' ? { userId: member.userId, userData: member.userData } : { userId: member.userId })),
  };
}
