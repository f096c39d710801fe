/**
 * What the orchestrator (scripts/bench/index.ts, in Node) and the DOM parts (the *.bench-run.tsx files,
 * run by Vitest in jsdom workers) hand each other. Inward: `provide`/`inject` (the cloud's URL, the
 * repetitions). Outward: each bench-run test stores its raw samples in `task.meta.bench`, which Vitest
 * sends back to the main process. No file is written.
 */

/** Which parts to run: a..h (see index.ts). */
export type PartId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h';
export const PART_IDS: readonly PartId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** Given to the DOM parts through Vitest's `provide`. */
export interface BenchInput {
  /** The local cloud, started by the orchestrator in its own process (loopback). */
  cloudUrl: string;
  apiKey: string;
  secret: string;
  parts: PartId[];
  /** (a): measured provider/bare pairs, after `warmup` discarded pairs. */
  registerPairs: number;
  /** (b): renewals per block and alternating blocks (provider, then bare SDK) measured. */
  renewalsPerBlock: number;
  renewalBlocks: number;
  warmup: number;
  /** (c): consumers selecting `status`, and how many expiresAt/renewAt-only changes they see. */
  consumers: number;
  quietChanges: number;
}

/**
 * Timestamps are ms on the shared wall clock (`performance.timeOrigin + performance.now()`, sub-ms),
 * so that the worker's marks and the cloud's events (recorded in the orchestrator's process) line up.
 */
export interface RegisterSample {
  kind: 'provider' | 'bare';
  /** root.render() for the provider, `new UserAgent()` for the bare SDK. */
  start: number;
  /** The engine's `registered` event / `register()` resolved. */
  registered: number;
  /** `ua.register()` called (the SDK's prototype method, wrapped). */
  sdkRegister: number;
  /** Provider only: the consumer committed a render with status `registered`. */
  committed?: number;
  /** Provider only: the first commit (the tree is on screen, effects not run yet). */
  firstCommit?: number;
  /** Provider only: the engine's status became `registering` (the effect ran and the driver chunk is loaded). */
  registering?: number;
  /** Provider only: the consumer committed a render with status `registering`. */
  registeringCommitted?: number;
  /** The session's id (the JWT user id): matches the cloud's records. */
  channelId: string;
}

export interface RenewalSample {
  kind: 'provider' | 'bare';
  /** renew() called / `ua.unregister()` called. */
  start: number;
  /** The engine's `unregistered` event / `ua.unregister()` resolved. */
  gone: number;
  /** The engine's `registered` event / `ua.register()` resolved. */
  registered: number;
  oldJti: string;
  newJti: string;
}

export interface RenderCounts {
  /** One consumer of useApiRtcSession() over register, renew, unregister: renders including the mount. */
  lifecycle: {
    ours: number;
    naive: number;
    /** A consumer of useApiRtcSession((s) => s.status) in the same tree. */
    selector: number;
    statuses: string[];
    snapshots: number;
  };
  /** `consumers` selecting status while only expiresAt/renewAt change `quietChanges` times: re-renders after mount. */
  quiet: {
    consumers: number;
    changes: number;
    ours: number;
    naive: number;
    /** React's actualDuration of the naive provider's update commits (development build); ours have none. */
    naiveMs: number;
  };
}

export interface BenchMeta {
  register?: { samples: RegisterSample[]; cold: RegisterSample[] };
  renewal?: { samples: RenewalSample[] };
  renders?: RenderCounts;
}

declare module 'vitest' {
  interface ProvidedContext {
    bench: BenchInput;
  }
  interface TaskMeta {
    bench?: BenchMeta;
  }
}

/** Sub-ms wall-clock time, comparable across the processes of one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
