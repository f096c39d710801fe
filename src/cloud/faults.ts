import { invalid } from './config.js';
import type { RegistrationMode } from './records.js';
import { ACCESS_TOKEN_FAILURE } from './verify.js';

/** Which live sessions a drop or kick hits; every field that is set must match. Omitted: all of them. */
export interface SessionFilter {
  channelId?: string;
  apiKey?: string;
  mode?: RegistrationMode;
}

export interface RefuseOptions {
  /**
   * The handshake error message. Default `access token failure: refused by the local cloud`.
   * Whatever the text, a refused handshake ends the SDK's reconnects (a socket.io client does not retry a
   * refusal of the connection middleware). The text decides how a first `register()` ends: a text the SDK
   * lists (`not authorized`, or containing `access token failure:`, `DISABLED_ENTERPRISE`, `An account is
   * needed`, `ApiRTC update is needed`, `applicationUUID is not authorized`) makes it disconnect at once.
   * For a refusal the SDK does retry, see {@link CloudFaults.refuseTransport}.
   */
  message?: string;
}

export interface TransportRefusalOptions {
  /** Refuse only this many new connections (engine.io handshakes), then accept again. Default: until turned off. */
  count?: number;
}

export interface LatencyOptions {
  /** Added before every REST answer (/api/*, the socket script), in ms. */
  rest?: number;
  /** Added before every socket handshake is decided, in ms. */
  handshake?: number;
}

export interface RestErrorOptions {
  /** The HTTP status, 500-599. Default 503. */
  status?: number;
  /** Fail only this many requests, then answer normally again. Default: until turned off. */
  count?: number;
  /** Fail only paths starting with this, e.g. '/api/v2/preferredCCS'. Default: every /api/ path. */
  path?: string;
}

export interface DownOptions {
  /** Come back up by itself after this many ms (what the HTTP control route uses). Default: stay down. */
  forMs?: number;
}

/** The current fault settings (a snapshot). */
export interface FaultState {
  /** The message new handshakes are refused with, or null when they are accepted. */
  refusing: string | null;
  /** Transport-level refusals: how many are left (null: until turned off), or null when off. */
  transportRefusals: { remaining: number | null } | null;
  latency: { rest: number; handshake: number };
  restErrors: { status: number; remaining: number | null; path: string | null } | null;
  socketScriptWithheld: boolean;
  down: boolean;
}

/**
 * Fault injection, for tests (`cloud.faults.drop()`) and, through the control routes
 * (`POST /_cloud/faults/...`), for browser demos.
 */
export interface CloudFaults {
  /**
   * A network-style drop: closes the matching sessions' transports (their TCP connections are destroyed)
   * without a socket.io disconnect, so the SDK reconnects by itself. Returns how many were dropped.
   */
  drop(filter?: SessionFilter): number;
  /** A server-side disconnect (`io server disconnect`): the SDK does not reconnect. Returns how many. */
  kick(filter?: SessionFilter): number;
  /** Refuses every new handshake (`false` accepts them again). The SDK does not retry these. */
  refuse(options?: RefuseOptions | false): void;
  /**
   * Refuses new connections at the transport level: engine.io answers the handshake request with an HTTP
   * 403 (`allowRequest` says no), as an overloaded load balancer would. The socket.io client sees a transport
   * error and the SDK retries (its ccsConnectionRetryNb / ccsConnectionRetryDelay). `false` stops.
   */
  refuseTransport(options?: TransportRefusalOptions | false): void;
  /** Sets the added latency; a number sets both REST and handshake. 0 removes it. */
  setLatency(latency: LatencyOptions | number): void;
  /** Answers REST calls with a 5xx (`false` stops). */
  failRest(options?: RestErrorOptions | false): void;
  /** Stops serving the socket.io script (404): the SDK's register() then never settles. `false` serves it again. */
  withholdSocketScript(withhold?: boolean): void;
  /** Stops listening and destroys every connection. Resolves once the port is closed. */
  down(options?: DownOptions): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Clears refuse, transport refusals, latency, REST errors and the withheld script (not down: use up()). */
  reset(): void;
  readonly state: FaultState;
}

export const DEFAULT_REFUSE_MESSAGE = `${ACCESS_TOKEN_FAILURE}refused by the local cloud`;
/** Upper bound for latency and `forMs`: a fault, not a hang. */
export const MAX_FAULT_MS = 120_000;

export function faultMs(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_FAULT_MS) {
    throw invalid(field, `must be a number of ms from 0 to ${MAX_FAULT_MS}`);
  }
  return value;
}

/** The switchable faults (everything but the connection-level actions). */
export class FaultSwitches {
  refusing: string | null = null;
  transportRefusals: { remaining: number | null } | null = null;
  latency = { rest: 0, handshake: 0 };
  restErrors: { status: number; remaining: number | null; path: string | null } | null = null;
  socketScriptWithheld = false;

  refuse(options: RefuseOptions | false = {}): void {
    if (options === false) {
      this.refusing = null;
      return;
    }
    const message = options.message ?? DEFAULT_REFUSE_MESSAGE;
    if (typeof message !== 'string' || message.trim() === '') throw invalid('message', 'must be a non-empty string');
    this.refusing = message;
  }

  refuseTransport(options: TransportRefusalOptions | false = {}): void {
    if (options === false) {
      this.transportRefusals = null;
      return;
    }
    const count = options.count;
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
      throw invalid('count', 'must be a positive integer');
    }
    this.transportRefusals = { remaining: count ?? null };
  }

  /** Whether a new connection must be refused now (consumes one of `count`). */
  takeTransportRefusal(): boolean {
    const fault = this.transportRefusals;
    if (!fault) return false;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.transportRefusals = null;
    }
    return true;
  }

  setLatency(latency: LatencyOptions | number): void {
    if (typeof latency === 'number') {
      const ms = faultMs('latency', latency, 0);
      this.latency = { rest: ms, handshake: ms };
      return;
    }
    if (typeof latency !== 'object' || latency === null) throw invalid('latency', 'must be a number of ms or { rest?, handshake? }');
    this.latency = {
      rest: faultMs('latency.rest', latency.rest, this.latency.rest),
      handshake: faultMs('latency.handshake', latency.handshake, this.latency.handshake),
    };
  }

  failRest(options: RestErrorOptions | false = {}): void {
    if (options === false) {
      this.restErrors = null;
      return;
    }
    const status = options.status ?? 503;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 500 || status > 599) {
      throw invalid('status', 'must be an HTTP status from 500 to 599');
    }
    const count = options.count;
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
      throw invalid('count', 'must be a positive integer');
    }
    const path = options.path;
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) throw invalid('path', 'must be a path starting with "/"');
    this.restErrors = { status, remaining: count ?? null, path: path ?? null };
  }

  /** The 5xx status a REST request to `path` must get now, if any (consumes one of `count`). */
  takeRestError(path: string): number | undefined {
    const fault = this.restErrors;
    if (!fault || (fault.path !== null && !path.startsWith(fault.path))) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.restErrors = null;
    }
    return fault.status;
  }

  reset(): void {
    this.refusing = null;
    this.transportRefusals = null;
    this.latency = { rest: 0, handshake: 0 };
    this.restErrors = null;
    this.socketScriptWithheld = false;
  }

  snapshot(down: boolean): FaultState {
    return {
      refusing: this.refusing,
      transportRefusals: this.transportRefusals && { ...this.transportRefusals },
      latency: { ...this.latency },
      restErrors: this.restErrors && { ...this.restErrors },
      socketScriptWithheld: this.socketScriptWithheld,
      down,
    };
  }
}
