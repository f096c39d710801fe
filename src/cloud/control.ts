import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalCloudConfigError } from './errors.js';
import { faultMs, type CloudFaults, type FaultState, type SessionFilter } from './faults.js';
import { HttpError, readJsonObject, sendError, sendJson } from './http.js';
import type { ConversationRecord } from './conversations.js';
import type { DisconnectRecord, LiveSession, RefusalRecord, RegistrationMode, RegistrationRecord, RequestRecord } from './records.js';

/** Everything the cloud knows, as GET /_cloud/state answers it. */
export interface CloudState {
  url: string;
  /** `host:port`, what preferredCCS answers. */
  ccs: string;
  up: boolean;
  /** The cloud clock (ms since epoch) and its offset from the configured clock. */
  now: number;
  clockOffsetMs: number;
  faults: FaultState;
  sessions: LiveSession[];
  registrations: RegistrationRecord[];
  refusals: RefusalRecord[];
  disconnects: DisconnectRecord[];
  requests: RequestRecord[];
  conversations: ConversationRecord[];
}

/** What the control routes act on (the cloud itself). */
export interface ControlTarget {
  readonly faults: CloudFaults;
  state(): CloudState;
  advanceClock(ms: number): void;
  resetClock(): void;
  clearRecords(): void;
  signDevToken(options: { userId: string; apiKey?: string; expiresIn?: number }): Promise<{ token: string; expiresAt: number }>;
}

/** HTTP `down` must come back by itself (nobody can call `up` on a cloud that is down). */
export const DEFAULT_HTTP_DOWN_MS = 5000;

const MODES: readonly RegistrationMode[] = ['apiKey', 'jwt', 'login'];

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be a string`);
  return value;
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new HttpError(400, `${name} must be a number`);
  return value;
}

function enabled(body: Record<string, unknown>): boolean {
  const value = body.enabled;
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new HttpError(400, 'enabled must be a boolean');
  return value;
}

function filterOf(body: Record<string, unknown>): SessionFilter {
  const mode = optionalString(body, 'mode');
  if (mode !== undefined && !MODES.includes(mode as RegistrationMode)) throw new HttpError(400, `mode must be one of ${MODES.join(', ')}`);
  const filter: SessionFilter = {};
  const channelId = optionalString(body, 'channelId');
  const apiKey = optionalString(body, 'apiKey');
  if (channelId !== undefined) filter.channelId = channelId;
  if (apiKey !== undefined) filter.apiKey = apiKey;
  if (mode !== undefined) filter.mode = mode as RegistrationMode;
  return filter;
}

type ControlAction = (body: Record<string, unknown>, target: ControlTarget, res: ServerResponse) => Promise<unknown> | unknown;

const actions = new Map<string, ControlAction>(Object.entries({
  'faults/drop': (body, target) => ({ dropped: target.faults.drop(filterOf(body)) }),
  'faults/kick': (body, target) => ({ kicked: target.faults.kick(filterOf(body)) }),
  'faults/refuse': (body, target) => {
    const message = optionalString(body, 'message');
    target.faults.refuse(enabled(body) ? (message === undefined ? {} : { message }) : false);
    return target.faults.state;
  },
  'faults/refuse-transport': (body, target) => {
    const count = optionalNumber(body, 'count');
    target.faults.refuseTransport(enabled(body) ? (count === undefined ? {} : { count }) : false);
    return target.faults.state;
  },
  'faults/latency': (body, target) => {
    const both = optionalNumber(body, 'ms');
    const rest = optionalNumber(body, 'rest');
    const handshake = optionalNumber(body, 'handshake');
    target.faults.setLatency(both ?? { ...(rest === undefined ? {} : { rest }), ...(handshake === undefined ? {} : { handshake }) });
    return target.faults.state;
  },
  'faults/rest-errors': (body, target) => {
    if (!enabled(body)) {
      target.faults.failRest(false);
    } else {
      const status = optionalNumber(body, 'status');
      const count = optionalNumber(body, 'count');
      const path = optionalString(body, 'path');
      target.faults.failRest({
        ...(status === undefined ? {} : { status }),
        ...(count === undefined ? {} : { count }),
        ...(path === undefined ? {} : { path }),
      });
    }
    return target.faults.state;
  },
  'faults/socket-script': (body, target) => {
    target.faults.withholdSocketScript(enabled(body));
    return target.faults.state;
  },
  'faults/down': (body, target, res) => {
    const forMs = faultMs('forMs', optionalNumber(body, 'forMs'), DEFAULT_HTTP_DOWN_MS);
    if (forMs <= 0) throw new HttpError(400, 'forMs must be positive: the cloud must come back up by itself');
    // Answer first, then go down once the answer has left.
    res.once('finish', () => void target.faults.down({ forMs }).catch(() => undefined));
    return { down: true, forMs };
  },
  'faults/up': async (_body, target) => {
    await target.faults.up();
    return target.faults.state;
  },
  'faults/reset': (_body, target) => {
    target.faults.reset();
    return target.faults.state;
  },
  clock: (body, target) => {
    if (body.reset === true) target.resetClock();
    const advanceMs = optionalNumber(body, 'advanceMs');
    if (advanceMs !== undefined) {
      if (!Number.isFinite(advanceMs)) throw new HttpError(400, 'advanceMs must be a finite number');
      target.advanceClock(advanceMs);
    }
    const { now, clockOffsetMs } = target.state();
    return { now, clockOffsetMs };
  },
  'records/clear': (_body, target) => {
    target.clearRecords();
    return { cleared: true };
  },
  token: async (body, target) => {
    const userId = optionalString(body, 'userId');
    if (userId === undefined) throw new HttpError(400, 'userId is required');
    const apiKey = optionalString(body, 'apiKey');
    const expiresIn = optionalNumber(body, 'expiresIn');
    return target.signDevToken({ userId, ...(apiKey === undefined ? {} : { apiKey }), ...(expiresIn === undefined ? {} : { expiresIn }) });
  },
} satisfies Record<string, ControlAction>));

/**
 * The control routes under /_cloud/ (for browser demos; tests use the methods directly):
 * GET state, POST faults/<drop|kick|refuse|refuse-transport|latency|rest-errors|socket-script|down|up|reset>,
 * POST clock, POST records/clear, POST token. Bodies are optional JSON objects.
 */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, target: ControlTarget): Promise<void> {
  const name = url.pathname.slice('/_cloud/'.length);
  try {
    if (name === 'state') {
      if (req.method !== 'GET') return sendError(res, 405, 'method not allowed');
      return sendJson(res, 200, target.state());
    }
    const action = actions.get(name);
    if (!action) return sendError(res, 404, 'unknown control route');
    if (req.method !== 'POST') return sendError(res, 405, 'method not allowed');
    const body = await readJsonObject(req);
    sendJson(res, 200, await action(body, target, res));
  } catch (error) {
    if (error instanceof HttpError) return sendError(res, error.status, error.message);
    if (error instanceof LocalCloudConfigError) return sendError(res, 400, error.message);
    throw error;
  }
}
