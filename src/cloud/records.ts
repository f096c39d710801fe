import type { BearerKind } from './apz-tokens.js';
import type { ConversationRecord } from './conversations.js';

/** How a socket authenticated: anonymous apiKey, customer JWT, or login/password (cloud token). */
export type RegistrationMode = 'apiKey' | 'jwt' | 'login';

/** Who a connection is: shared by registrations, live sessions and disconnects. */
export interface ConnectionIdentity {
  /** The socket.io socket id (unique per connection; a reconnect gets a new one). */
  socketId: string;
  mode: RegistrationMode;
  /** `register({ id })`, the session id. */
  channelId: string;
  apiKey: string;
  /** The JWT's `jti` (JWT mode only). */
  jti: string | undefined;
}

/** A socket the CCS accepted (a first registration or an automatic reconnect). */
export interface RegistrationRecord extends ConnectionIdentity {
  /** The SDK's `apiCCSessionId` query value: the same across the reconnects of one registration. */
  apiCCSessionId: string | undefined;
  /** The handshake's Origin header, if any. */
  origin: string | undefined;
  /** The cloud clock (ms since epoch). */
  at: number;
}

/** Where a refusal happened: the socket handshake, the transport (engine.io, HTTP 403), or the login REST call. */
export type RefusalStage = 'handshake' | 'transport' | 'authenticate';

export interface RefusalRecord {
  stage: RefusalStage;
  mode: RegistrationMode;
  /** Handshake: the channelId asked for. Authenticate: the user id when the login exists. */
  channelId: string | undefined;
  apiKey: string | undefined;
  /** Authenticate only: the login that was tried. */
  login: string | undefined;
  jti: string | undefined;
  /** Why, e.g. 'jwt expired', 'signature verification failed', 'invalid password'. */
  reason: string;
  /** What the client was told: the handshake error message (e.g. 'access token failure: jwt expired'). */
  message: string;
  at: number;
}

/** Who ended a connection: the client (or its network), or one of the cloud's faults, or close(). */
export type DisconnectCause = 'client' | 'drop' | 'kick' | 'down' | 'close';

export interface DisconnectRecord extends ConnectionIdentity {
  /** socket.io's reason, e.g. 'client namespace disconnect', 'transport close', 'server namespace disconnect'. */
  reason: string;
  cause: DisconnectCause;
  at: number;
}

/** A REST call or a socket-script download (control routes and socket.io polling are not recorded). */
export interface RequestRecord {
  method: string;
  /** The path without the query string. */
  path: string;
  status: number;
  origin: string | undefined;
  /**
   * The request's `Authorization: Bearer` token, classified (never stored): none, a live JWTApzToken,
   * a stale one (its session ended or it expired), or another token (a login-mode cloud token, garbage).
   */
  bearer: BearerKind;
  at: number;
}

/** A socket connected right now. */
export interface LiveSession extends ConnectionIdentity {
  apiCCSessionId: string | undefined;
  /** The cloud's session id, sent to the SDK in the `sessionId` message (with its JWTApzToken). */
  sessionId: string;
  connectedAt: number;
}

/** What the cloud reports, as Node EventEmitter events (`cloud.on('registration', ...)`, `cloud.waitFor(...)`). */
export interface ApiRtcCloudEvents {
  registration: [RegistrationRecord];
  refusal: [RefusalRecord];
  disconnect: [DisconnectRecord];
  request: [RequestRecord];
  /** A session joined or left a conversation, or sent it a message. */
  conversation: [ConversationRecord];
  /** The cloud stopped listening (fault `down`). */
  down: [];
  /** The cloud listens again (fault `up`). */
  up: [];
}

export type ApiRtcCloudEventName = keyof ApiRtcCloudEvents;

/** Each list keeps the most recent entries only, so a long-running dev cloud does not grow forever. */
export const RECORD_LIMIT = 1000;

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > RECORD_LIMIT) list.splice(0, list.length - RECORD_LIMIT);
}

/** The cloud's memory of what happened. */
export class CloudRecords {
  readonly registrations: RegistrationRecord[] = [];
  readonly refusals: RefusalRecord[] = [];
  readonly disconnects: DisconnectRecord[] = [];
  readonly requests: RequestRecord[] = [];
  readonly conversations: ConversationRecord[] = [];
  addRegistration(record: RegistrationRecord): void {
    push(this.registrations, record);
  }

  addRefusal(record: RefusalRecord): void {
    push(this.refusals, record);
  }

  addDisconnect(record: DisconnectRecord): void {
    push(this.disconnects, record);
  }

  addRequest(record: RequestRecord): void {
    push(this.requests, record);
  }

  addConversation(record: ConversationRecord): void {
    push(this.conversations, record);
  }

  /** Forgets the history; live sessions stay (they are still connected). */
  clear(): void {
    this.registrations.length = 0;
    this.refusals.length = 0;
    this.disconnects.length = 0;
    this.requests.length = 0;
    this.conversations.length = 0;
  }
}

/** Where the cloud's parts report what happened (stored in CloudRecords and emitted as events). */
export interface CloudReporter {
  registration(record: RegistrationRecord): void;
  refusal(record: RefusalRecord): void;
  disconnect(record: DisconnectRecord): void;
  request(record: RequestRecord): void;
  conversation(record: ConversationRecord): void;
}
