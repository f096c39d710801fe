/**
 * What the devtools panel shows, computed from what it observed: pure functions, no React, no timers.
 * Two inputs: samples of the engine's state (always there) and the engine's events (when a source is given).
 */
import type { SessionStatus } from '../index.js';
import type { TimedSessionEvent } from './events.js';

/** The part of a snapshot the panel keeps, with the time it was seen. Never the Session object or a secret. */
export interface Sample {
  at: number;
  status: SessionStatus;
  sessionId: string | undefined;
  expiresAt: number | undefined;
  renewAt: number | undefined;
  retryAt: number | undefined;
  error: { code: string; message: string } | undefined;
}

/**
 * What the panel reads of a snapshot, whichever status variant it is: a field a variant lacks reads as
 * undefined. Every snapshot is assignable to it, so the panel needs no narrowing.
 */
export interface ReadableState {
  status: SessionStatus;
  session?: { getId(): string } | undefined;
  error?: { code: string; message: string; retryable: boolean; field?: string | undefined } | undefined;
  expiresAt?: number | undefined;
  renewAt?: number | undefined;
  retryAt?: number | undefined;
}

export function sampleOf(snapshot: ReadableState, at: number): Sample {
  const { error } = snapshot;
  return {
    at,
    status: snapshot.status,
    sessionId: snapshot.session?.getId(),
    expiresAt: snapshot.expiresAt,
    renewAt: snapshot.renewAt,
    retryAt: snapshot.retryAt,
    error: error ? { code: error.code, message: error.message } : undefined,
  };
}

const SAMPLED = ['status', 'sessionId', 'expiresAt', 'renewAt', 'retryAt'] as const;

/** Whether `next` says something `last` did not (the time aside). */
export function changed(last: Sample | undefined, next: Sample): boolean {
  return !last || SAMPLED.some((key) => last[key] !== next[key]) || last.error?.code !== next.error?.code || last.error?.message !== next.error?.message;
}

/** One line of the event log. */
export interface LogLine {
  id: number;
  at: number;
  type: string;
  text: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function shortJti(jti: string | undefined): string {
  return jti === undefined ? '—' : `${jti.slice(0, 8)}…`;
}

/** One line for an event: what a person debugging a session wants to read. Events hold no secret. */
export function describeEvent({ event, at }: TimedSessionEvent): string {
  switch (event.type) {
    case 'status':
      return `→ ${event.status}`;
    case 'token':
      return `reason ${event.reason}, expires in ${event.expiresAt === undefined ? '—' : seconds(event.expiresAt - at)}, jti ${shortJti(event.jti)}`;
    case 'registered':
      return `${event.mode}, session ${event.sessionId}`;
    case 'unregistered':
    case 'stale-session-unregistered':
      return `session ${event.sessionId}`;
    case 'renewal-scheduled':
      return `renew in ${seconds(event.renewAt - at)} (expires in ${seconds(event.expiresAt - at)})`;
    case 'renewal-deferred':
      return `${event.conversations} conversation(s), until +${seconds(event.until - at)}`;
    case 'conversations-left':
      return event.names.join(', ');
    case 'connection':
      return event.status;
    case 'user-agent-released':
      return event.reason;
    case 'retry-scheduled':
      return `attempt ${event.attempt} ${event.retryAt === undefined ? 'when back online' : `in ${seconds(event.retryAt - at)}`}: ${event.error.code}`;
    case 'error':
      return `${event.error.code}: ${event.error.message}`;
    default:
      return '';
  }
}

export function linesFromEvents(events: readonly TimedSessionEvent[]): LogLine[] {
  return events.map((timed, index) => ({ id: index + 1, at: timed.at, type: timed.event.type, text: describeEvent(timed) }));
}

/** Without an event source: the log the state changes tell (what changed between two samples). */
export function linesFromSamples(samples: readonly Sample[]): LogLine[] {
  const lines: LogLine[] = [];
  const add = (at: number, type: string, text: string) => lines.push({ id: lines.length + 1, at, type, text });
  samples.forEach((next, index) => {
    const last = samples[index - 1];
    const { at } = next;
    if (last?.status !== next.status) add(at, 'status', `→ ${next.status}`);
    if (last?.sessionId !== undefined && last.sessionId !== next.sessionId) add(at, 'unregistered', `session ${last.sessionId}`);
    if (next.sessionId !== undefined && last?.sessionId !== next.sessionId) add(at, 'registered', `session ${next.sessionId}`);
    if (next.expiresAt !== undefined && last?.expiresAt !== next.expiresAt) add(at, 'token', `expires in ${seconds(next.expiresAt - at)}`);
    if (next.renewAt !== undefined && last?.renewAt !== next.renewAt) add(at, 'renewal-scheduled', `renew in ${seconds(next.renewAt - at)}`);
    if (next.status === 'retrying' && (last?.status !== 'retrying' || last.retryAt !== next.retryAt)) {
      add(at, 'retry-scheduled', next.retryAt === undefined ? 'when back online' : `in ${seconds(next.retryAt - at)}`);
    }
    if (next.error && (last?.error?.code !== next.error.code || last.error.message !== next.error.message)) {
      add(at, 'error', `${next.error.code}: ${next.error.message}`);
    }
  });
  return lines;
}

/** A registration and the token it used. */
export interface RegistrationRow {
  n: number;
  at: number;
  reason: string;
  jti: string | undefined;
  sessionId: string;
}

/** From events: each 'registered' with the 'token' before it. */
export function registrationsFromEvents(events: readonly TimedSessionEvent[]): RegistrationRow[] {
  const rows: RegistrationRow[] = [];
  let token: { reason: string; jti: string | undefined } | undefined;
  for (const { event, at } of events) {
    if (event.type === 'token') token = { reason: event.reason, jti: event.jti };
    if (event.type === 'registered') {
      rows.push({ n: rows.length + 1, at, reason: token?.reason ?? '—', jti: token?.jti, sessionId: event.sessionId });
      token = undefined;
    }
  }
  return rows;
}

const LIVE: readonly SessionStatus[] = ['registered', 'reconnecting'];

/** From samples: each time the state became live with a Session (the token's reason and jti are not in the state). */
export function registrationsFromSamples(samples: readonly Sample[]): RegistrationRow[] {
  const rows: RegistrationRow[] = [];
  samples.forEach((sample, index) => {
    const last = samples[index - 1];
    if (sample.sessionId === undefined || !LIVE.includes(sample.status)) return;
    if (last && last.sessionId === sample.sessionId && LIVE.includes(last.status)) return;
    rows.push({ n: rows.length + 1, at: sample.at, reason: '—', jti: undefined, sessionId: sample.sessionId });
  });
  return rows;
}

/** What the timeline draws. */
export interface TimelineModel {
  start: number;
  end: number;
  now: number;
  /** Consecutive spans of one status; the last one runs until `now`. */
  spans: { from: number; to: number; status: SessionStatus }[];
  /** Each token's lifetime, from when it was received to its expiry; `replacedAt` when a newer one took over. */
  tokens: { receivedAt: number; expiresAt: number; renewAt: number | undefined; replacedAt: number | undefined; reason: string | undefined }[];
  /** Renewals (status → renewing) and drops (status → reconnecting). */
  marks: { at: number; kind: 'renewal' | 'drop' }[];
}

interface StatusChange {
  at: number;
  status: SessionStatus;
}
interface TokenSeen {
  at: number;
  expiresAt: number;
  renewAt: number | undefined;
  reason: string | undefined;
}

function statusChanges(samples: readonly Sample[], events: readonly TimedSessionEvent[] | undefined): StatusChange[] {
  const fromEvents = events?.flatMap(({ at, event }) => (event.type === 'status' ? [{ at, status: event.status }] : [])) ?? [];
  const fromSamples = samples.map(({ at, status }) => ({ at, status }));
  // Events start before the panel mounted; samples after. Use events where they exist, samples after the last event.
  const lastEventAt = fromEvents.at(-1)?.at ?? -Infinity;
  const merged = [...fromEvents, ...fromSamples.filter((change) => change.at > lastEventAt)];
  return merged.filter((change, index) => merged[index - 1]?.status !== change.status);
}

function tokensSeen(samples: readonly Sample[], events: readonly TimedSessionEvent[] | undefined): TokenSeen[] {
  const seen: TokenSeen[] = [];
  if (events?.length) {
    for (const { at, event } of events) {
      if (event.type === 'token' && event.expiresAt !== undefined) seen.push({ at, expiresAt: event.expiresAt, renewAt: undefined, reason: event.reason });
      const last = seen.at(-1);
      if (event.type === 'renewal-scheduled' && last && last.expiresAt === event.expiresAt) last.renewAt = event.renewAt;
    }
    // A token the events missed (none before the panel subscribed) still shows from the state.
    if (seen.length) return seen;
  }
  for (const sample of samples) {
    const last = seen.at(-1);
    if (sample.expiresAt === undefined) continue;
    if (last?.expiresAt === sample.expiresAt) {
      last.renewAt ??= sample.renewAt;
      continue;
    }
    seen.push({ at: sample.at, expiresAt: sample.expiresAt, renewAt: sample.renewAt, reason: undefined });
  }
  return seen;
}

/**
 * The timeline from what was observed until `now`: status over time, each token's lifetime as a bar,
 * renewals and drops marked. The window ends at the later of `now` and the current token's expiry.
 */
export function timelineOf(samples: readonly Sample[], events: readonly TimedSessionEvent[] | undefined, now: number): TimelineModel {
  const changes = statusChanges(samples, events);
  const seen = tokensSeen(samples, events);
  const spans = changes.map((change, index) => ({ from: change.at, to: changes[index + 1]?.at ?? now, status: change.status }));
  const tokens = seen.map((token, index) => ({
    receivedAt: token.at,
    expiresAt: token.expiresAt,
    renewAt: token.renewAt,
    replacedAt: seen[index + 1]?.at,
    reason: token.reason,
  }));
  const marks = changes.flatMap(({ at, status }): TimelineModel['marks'] =>
    status === 'renewing' ? [{ at, kind: 'renewal' }] : status === 'reconnecting' ? [{ at, kind: 'drop' }] : [],
  );
  const start = Math.min(changes[0]?.at ?? now, seen[0]?.at ?? now, now);
  const current = tokens.at(-1);
  const end = Math.max(now, current && current.replacedAt === undefined ? current.expiresAt : now, start + 1000);
  return { start, end, now, spans, tokens, marks };
}
