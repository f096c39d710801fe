import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { ApzTokens, type BearerKind } from './apz-tokens.js';
import { Ccs } from './ccs.js';
import { CloudClock } from './clock.js';
import { Conversations, type ConversationMember, type ConversationRecord } from './conversations.js';
import { resolveCloudConfig, type ApiRtcCloudOptions, type ResolvedCloudConfig } from './config.js';
import { invalid } from './errors.js';
import { handleControl, type CloudState, type ControlTarget } from './control.js';
import { answerPreflight, applyCors, isLoopbackOrigin, isPreflight } from './cors.js';
import { faultMs, FaultSwitches, type CloudFaults, type DownOptions, type SessionFilter } from './faults.js';
import { bearerToken, HttpError, sendError } from './http.js';
import { LoginTokens } from './logins.js';
import {
  CloudRecords,
  type ApiRtcCloudEventName,
  type ApiRtcCloudEvents,
  type CloudReporter,
  type DisconnectRecord,
  type LiveSession,
  type RefusalRecord,
  type RegistrationRecord,
  type RequestRecord,
} from './records.js';
import { handleRest, type RestContext } from './rest.js';
import { signCustomerToken } from './signing.js';
import { SOCKET_SCRIPT_PATH } from './socket-script.js';
import { CloudClosedError, Timers } from './timers.js';

export interface WaitForOptions {
  /** Reject after this many ms (default 10 000), so a missing event fails a test instead of hanging it. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

type EventArg<E extends ApiRtcCloudEventName> = ApiRtcCloudEvents[E] extends [infer First, ...unknown[]] ? First : undefined;
type AnyListener = (...args: unknown[]) => void;

/** Set in ApiRtcCloud's static block: lets startApiRtcCloud listen without a public method. */
let listenCloud: (cloud: ApiRtcCloud) => Promise<void>;

interface Waiter {
  reject(error: Error): void;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function parseUrl(raw: string | undefined): URL {
  const path = raw !== undefined && raw.startsWith('/') ? raw : '/';
  return new URL(`http://cloud.local${path}`);
}

/**
 * A running local ApiRTC cloud: REST API, socket-script download and CCS (socket.io) on one loopback
 * HTTP server. Emits 'registration', 'refusal', 'disconnect', 'request', 'down' and 'up'.
 * Create it with {@link startApiRtcCloud}.
 */
export class ApiRtcCloud extends EventEmitter<ApiRtcCloudEvents> implements ControlTarget {
  /** Fault injection: drop, kick, refuse, latency, REST errors, withheld socket script, down/up. */
  readonly faults: CloudFaults;
  readonly host: string;
  readonly #config: ResolvedCloudConfig;
  readonly #clock: CloudClock;
  readonly #records = new CloudRecords();
  readonly #logins: LoginTokens;
  readonly #apz: ApzTokens;
  readonly #conversations: Conversations;
  readonly #switches = new FaultSwitches();
  readonly #timers = new Timers();
  readonly #server: HttpServer;
  readonly #ccs: Ccs;
  readonly #connections = new Set<NetSocket>();
  readonly #waiters = new Set<Waiter>();
  readonly #report: CloudReporter;
  readonly #restContext: RestContext;
  #port: number;
  #listening = false;
  #lifecycle: Promise<void> = Promise.resolve();
  #cancelAutoUp: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  /** @internal Use startApiRtcCloud(). */
  constructor(config: ResolvedCloudConfig) {
    super();
    this.#config = config;
    this.host = config.host;
    this.#port = config.port;
    this.#clock = new CloudClock(config.now);
    const now = () => this.#clock.now();
    this.#logins = new LoginTokens(now, config.loginTokenTtlMs);
    this.#apz = new ApzTokens(now);
    const report = this.#reporter();
    this.#report = report;
    this.#conversations = new Conversations((record) => report.conversation(record), now);
    this.#restContext = {
      apiKeys: config.apiKeys,
      users: config.users,
      logins: this.#logins,
      switches: this.#switches,
      timers: this.#timers,
      report,
      now,
      invalidateUnknownToken: config.invalidateUnknownToken,
      ccs: () => this.ccs,
      conversations: this.#conversations,
    };
    this.#server = createServer();
    this.#server.on('connection', (socket: NetSocket) => {
      this.#connections.add(socket);
      socket.once('close', () => this.#connections.delete(socket));
    });
    this.#ccs = new Ccs(this.#server, {
      context: { apiKeys: config.apiKeys, users: config.users, now },
      switches: this.#switches,
      timers: this.#timers,
      report,
      apz: this.#apz,
      conversations: this.#conversations,
    });
    // socket.io's engine took over 'request' and captures every URL under /socket.io/, including
    // the script the SDK loads from /socket.io/v3/socket.io.js: route ahead of it.
    const engineListeners = this.#server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    this.#server.removeAllListeners('request');
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#route(req, res, () => {
        for (const listener of engineListeners) listener.call(this.#server, req, res);
      });
    });
    this.faults = this.#faultControls();
  }

  /** `http://127.0.0.1:PORT`: the `cloudUrl` to register with. */
  get url(): string {
    return urlOf(this.host, this.#port);
  }

  get port(): number {
    return this.#port;
  }

  /** `host:port`, the CCS address preferredCCS answers. */
  get ccs(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.#port}`;
  }

  /** Whether the cloud is listening (false while a `down` fault is active, and after close()). */
  get isUp(): boolean {
    return this.#listening;
  }

  /** The cloud clock, ms since epoch: checks `exp`, stamps records. */
  now(): number {
    return this.#clock.now();
  }

  /** Moves the cloud clock by `ms` (e.g. past a token's `exp` without waiting). */
  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  resetClock(): void {
    this.#clock.reset();
  }

  get registrations(): RegistrationRecord[] {
    return [...this.#records.registrations];
  }

  get refusals(): RefusalRecord[] {
    return [...this.#records.refusals];
  }

  get disconnects(): DisconnectRecord[] {
    return [...this.#records.disconnects];
  }

  get requests(): RequestRecord[] {
    return [...this.#records.requests];
  }

  /** Joins, leaves and messages of conversations (who and where, never what was said). */
  get conversations(): ConversationRecord[] {
    return [...this.#records.conversations];
  }

  /**
   * Who is in a conversation right now: the channel ids of the sessions that joined it (signalling only:
   * `conversation.join()` of the SDK, or a client's `joinSession`). Default apiKey: the cloud's first.
   */
  conversationMembers(name: string, apiKey: string = this.#firstApiKey): string[] {
    return this.#conversations.members(apiKey, name).map((member: ConversationMember) => member.channelId);
  }

  /** The apiKey a call that names none is for: the config's first (a resolved config has at least one). */
  get #firstApiKey(): string {
    return [...this.#config.apiKeys.keys()][0] as string;
  }

  /** The sessions connected right now (optionally only those matching `filter`). */
  sessions(filter: SessionFilter = {}): LiveSession[] {
    return this.#ccs.sockets(filter).map((socket) => socket.data.session as LiveSession);
  }

  /** Forgets registrations, refusals, disconnects and requests (live sessions stay). */
  clearRecords(): void {
    this.#records.clear();
  }

  state(): CloudState {
    return {
      url: this.url,
      ccs: this.ccs,
      up: this.#listening,
      now: this.now(),
      clockOffsetMs: this.#clock.offsetMs,
      faults: this.faults.state,
      sessions: this.sessions(),
      registrations: this.registrations,
      refusals: this.refusals,
      disconnects: this.disconnects,
      requests: this.requests,
      conversations: this.conversations,
    };
  }

  /**
   * Resolves with the next `event` whose payload passes `predicate`. Only events emitted after the
   * call count: start waiting before triggering the action. Rejects after `timeoutMs` and on close().
   */
  waitFor<E extends ApiRtcCloudEventName>(
    event: E,
    predicate?: (value: EventArg<E>) => boolean,
    options: WaitForOptions = {},
  ): Promise<EventArg<E>> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    return new Promise<EventArg<E>>((resolve, reject) => {
      if (this.#closing) return reject(new CloudClosedError());
      if (options.signal?.aborted) return reject(options.signal.reason);
      const emitter = this as unknown as EventEmitter;
      const waiter: Waiter = { reject: (error) => settle(() => reject(error)) };
      const listener: AnyListener = (value) => {
        let passes: boolean;
        try {
          passes = predicate ? predicate(value as EventArg<E>) : true;
        } catch (error) {
          return settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        }
        if (passes) settle(() => resolve(value as EventArg<E>));
      };
      const onAbort = () => settle(() => reject(options.signal?.reason));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`waitFor('${event}') timed out after ${timeoutMs} ms`))),
        timeoutMs,
      );
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        emitter.off(event, listener);
        options.signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
        finish();
      };
      emitter.on(event, listener);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /**
   * Development only (a real cloud never signs): a JWT for `userId` (or `ApiKey_Token`, valid for every user
   * id of the apiKey), signed with the apiKey's secret on the cloud clock.
   */
  async signDevToken(options: { userId: string; apiKey?: string; expiresIn?: number }): Promise<{ token: string; expiresAt: number }> {
    const apiKey = options.apiKey ?? this.#firstApiKey;
    const key = this.#config.apiKeys.get(apiKey);
    if (!key) throw invalid('apiKey', `"${apiKey}" is not one of the cloud's apiKeys`);
    return signCustomerToken({ apiKey, secret: key.secret, userId: options.userId, expiresIn: options.expiresIn, nowMs: this.now() });
  }

  /** Closes everything: sockets, connections, timers, the port. Pending waitFor() calls reject. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  static {
    listenCloud = (cloud) => cloud.#listen();
  }

  async #close(): Promise<void> {
    await this.#lifecycle;
    // After a down() in progress has finished: it may just have scheduled its automatic up().
    this.#cancelAutoUp?.();
    this.#timers.clearAll();
    this.#ccs.markAll('close');
    const serverClosed = this.#stopListening();
    this.#destroyConnections();
    await this.#ccs.close();
    this.#destroyConnections();
    await serverClosed;
    for (const waiter of [...this.#waiters]) waiter.reject(new CloudClosedError());
  }

  #listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        this.#server.off('listening', onListening);
        reject(error);
      };
      const onListening = () => {
        this.#server.off('error', onError);
        this.#port = (this.#server.address() as AddressInfo).port;
        this.#listening = true;
        resolve();
      };
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen({ port: this.#port, host: this.host });
    });
  }

  #stopListening(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
    return new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #destroyConnections(): void {
    for (const socket of this.#connections) socket.destroy();
    this.#connections.clear();
  }

  /** Runs down/up one at a time. */
  #serially(operation: () => Promise<void>): Promise<void> {
    const run = this.#lifecycle.then(operation);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  #down(options: DownOptions = {}): Promise<void> {
    const forMs = faultMs('forMs', options.forMs, 0);
    return this.#serially(async () => {
      if (this.#closing) throw new CloudClosedError();
      this.#cancelAutoUp?.();
      this.#cancelAutoUp = undefined;
      if (this.#listening) {
        this.#ccs.markAll('down');
        const closed = this.#stopListening();
        this.#destroyConnections();
        await closed;
        this.emit('down');
      }
      if (forMs > 0 && !this.#closing) {
        this.#cancelAutoUp = this.#timers.schedule(forMs, () => {
          this.#cancelAutoUp = undefined;
          this.#up().catch(() => undefined);
        });
      }
    });
  }

  #up(): Promise<void> {
    return this.#serially(async () => {
      if (this.#closing) throw new CloudClosedError();
      this.#cancelAutoUp?.();
      this.#cancelAutoUp = undefined;
      if (this.#listening) return;
      await this.#listen();
      this.emit('up');
    });
  }

  #faultControls(): CloudFaults {
    const switches = this.#switches;
    const isUp = () => this.#listening;
    return {
      drop: (filter) => this.#ccs.drop(filter),
      kick: (filter) => this.#ccs.kick(filter),
      refuse: (options) => switches.refuse(options),
      refuseTransport: (options) => switches.refuseTransport(options),
      setLatency: (latency) => switches.setLatency(latency),
      failRest: (options) => switches.failRest(options),
      withholdSocketScript: (withhold = true) => {
        switches.socketScriptWithheld = withhold;
      },
      down: (options) => this.#down(options),
      up: () => this.#up(),
      reset: () => switches.reset(),
      get state() {
        return switches.snapshot(!isUp());
      },
    };
  }

  #reporter(): CloudReporter {
    const records = this.#records;
    return {
      registration: (record) => {
        records.addRegistration(record);
        this.emit('registration', record);
      },
      refusal: (record) => {
        records.addRefusal(record);
        this.emit('refusal', record);
      },
      disconnect: (record) => {
        records.addDisconnect(record);
        this.emit('disconnect', record);
      },
      request: (record) => {
        records.addRequest(record);
        this.emit('request', record);
      },
      conversation: (record) => {
        records.addConversation(record);
        this.emit('conversation', record);
      },
    };
  }

  #route(req: IncomingMessage, res: ServerResponse, toEngine: () => void): void {
    const url = parseUrl(req.url);
    if (req.url?.startsWith('/socket.io/') && url.pathname !== SOCKET_SCRIPT_PATH) return toEngine();
    const control = url.pathname.startsWith('/_cloud/');
    // The control routes sign tokens and break the cloud: only pages served from this machine (and clients
    // that send no Origin, like curl or a test) may use them, not any web page open in the same browser.
    if (control && !isLoopbackOrigin(req.headers.origin)) return sendError(res, 403, 'the /_cloud/ routes answer pages served from this machine only');
    applyCors(req, res);
    if (isPreflight(req)) return answerPreflight(req, res);
    let bearer: BearerKind = 'none';
    if (!control) {
      const origin = req.headers.origin;
      res.once('close', () => {
        const status = res.writableFinished ? res.statusCode : 0;
        this.#report.request({ method: req.method ?? 'GET', path: url.pathname, status, origin, bearer, at: this.now() });
      });
    }
    // The bearer is classified before the answer, so the record is complete when the client has it.
    const work = control
      ? handleControl(req, res, url, this)
      : this.#apz.classify(bearerToken(req)).then((kind) => {
          bearer = kind;
          return handleRest(req, res, url, this.#restContext);
        });
    work.catch((error: unknown) => {
      if (error instanceof CloudClosedError) {
        res.destroy();
      } else if (error instanceof HttpError) {
        sendError(res, error.status, error.message);
      } else if (error instanceof URIError) {
        sendError(res, 400, 'malformed percent-encoding in the URL'); // the client's fault, not ours
      } else {
        sendError(res, 500, 'internal error of the local cloud');
        console.error('[apirtc local cloud]', error);
      }
    });
  }
}

/**
 * Starts a local ApiRTC cloud on loopback. Without options: the development apiKey, secret and
 * login user (see dev.ts) on a free port. Throws LocalCloudConfigError (code INVALID_CONFIG, `field`) for bad options.
 */
export async function startApiRtcCloud(options: ApiRtcCloudOptions = {}): Promise<ApiRtcCloud> {
  const cloud = new ApiRtcCloud(resolveCloudConfig(options));
  try {
    await listenCloud(cloud);
  } catch (error) {
    await cloud.close();
    throw error;
  }
  return cloud;
}
