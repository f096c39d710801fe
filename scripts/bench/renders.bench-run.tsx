/**
 * Part (c): renders counted with React's <Profiler>, on the fake SDK (test/support/fake-sdk.ts), next to a
 * naive context provider (a useState holding the whole state object in a Context; consumers useContext)
 * fed by the same engine, in the same tree, so both see exactly the same changes at the same moments.
 * react-dom's createRoot in jsdom, no act(): React batches as it would in an app.
 */
import { createContext, Profiler, useContext, useEffect, useState, type ProfilerOnRenderCallback, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { inject, it } from 'vitest';
import { AuthContext, AuthProvider, SessionEngine, useApiRtcSession, useSessionEngine, type SessionEngineOptions, type SessionSnapshot } from '../../src/index.js';
import { API_KEY, signTokenNow, untilState, USER_ID } from '../../test/support/engine.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { FakeSdk } from '../../test/support/fake-sdk.js';
import { NO_RETRIES, type Phase } from '../../src/core/engine/phase.js';
import type { SessionLike } from '../../src/core/sdk.js';
import type { UserAgentHandle } from '../../src/core/user-agent.js';
import type { RenderCounts } from './protocol.js';
import { deferred, sleep, within } from './worker-support.js';

const input = inject('bench');

/** A fresh 1 h JWT for the fake SDK (it does not check signatures; the engine decodes exp/iat). */
const freshToken = (): string => signTokenNow(new FakeClock(Date.now()), { expiresIn: 3600 });
const selectStatus = (snapshot: SessionSnapshot) => snapshot.status;

function engineOptions(sdk: FakeSdk): SessionEngineOptions {
  return { auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => freshToken() }, cloudUrl: 'http://127.0.0.1:9', loadSdk: sdk.load };
}

// ---- the naive provider: the whole state in a useState, in a Context ----

const NaiveContext = createContext<SessionSnapshot | null>(null);

/**
 * Mirrors an engine into useState (subscribing in an effect), as a hand-written provider would. Nothing
 * changes between its first render and its effect here (the engine starts in AuthProvider's effect, which
 * runs after this one), so it does not re-read the snapshot there.
 * `onCommit` (bench only) times each of its renders with a Profiler it re-creates, so it always fires.
 */
function NaiveProvider({ engine, onCommit, children }: { engine: SessionEngine; onCommit?: ProfilerOnRenderCallback; children: ReactNode }) {
  const [state, setState] = useState(() => engine.getSnapshot());
  useEffect(() => engine.subscribe(() => setState(engine.getSnapshot())), [engine]);
  return (
    <NaiveContext.Provider value={state}>
      {onCommit ? <Profiler id="naive-commit" onRender={onCommit}>{children}</Profiler> : children}
    </NaiveContext.Provider>
  );
}

function NaiveBridge({ children }: { children: ReactNode }) {
  return <NaiveProvider engine={useSessionEngine()}>{children}</NaiveProvider>;
}

function useNaive(): SessionSnapshot {
  const state = useContext(NaiveContext);
  if (!state) throw new Error('outside NaiveProvider');
  return state;
}

type Kind = 'ours' | 'naive' | 'selector';

/**
 * The <Profiler> sits inside each consumer, around what it renders, so that its onRender fires exactly
 * when the consumer rendered. (A Profiler around a context consumer, outside it, missed the naive
 * consumer's context-driven re-renders here: React 19 skipped its onRender although the consumer ran.)
 */
function Counted({ id, onRender, children }: { id: Kind; onRender: ProfilerOnRenderCallback; children: string }) {
  return (
    <Profiler id={id} onRender={onRender}>
      <i>{children}</i>
    </Profiler>
  );
}

/** The consumers' own count of their renders (no StrictMode: one body call per render), to check the Profiler's. */
class RenderTally {
  readonly counts: Record<Kind, number> = { ours: 0, naive: 0, selector: 0 };
  hit(kind: Kind): void {
    this.counts[kind] += 1;
  }
  check(profiled: Partial<Record<Kind, number>>): void {
    if ((Object.keys(this.counts) as Kind[]).some((kind) => (profiled[kind] ?? 0) !== this.counts[kind])) {
      throw new Error(`Profiler counts ${JSON.stringify(profiled)} differ from render counts ${JSON.stringify(this.counts)}`);
    }
  }
}

/** Waits for React to have flushed what is scheduled (sync lanes in microtasks, default lanes in a macrotask). */
const settle = async () => {
  for (let i = 0; i < 3; i += 1) await sleep(0);
};

// ---- one consumer over a full lifecycle ----

async function lifecycle(): Promise<RenderCounts['lifecycle']> {
  const sdk = new FakeSdk();
  const renders = { ours: 0, naive: 0, selector: 0 };
  const bodies = new RenderTally();
  const count: ProfilerOnRenderCallback = (id) => {
    renders[id as Kind] += 1;
  };
  const seen: string[] = [];
  let snapshots = 0;
  const ready = deferred<SessionEngine>();

  function Ours() {
    const { status } = useApiRtcSession();
    const engine = useSessionEngine();
    bodies.hit('ours');
    useEffect(() => ready.resolve(engine), [engine]);
    return <Counted id="ours" onRender={count}>{status}</Counted>;
  }
  function Naive() {
    const { status } = useNaive();
    bodies.hit('naive');
    return <Counted id="naive" onRender={count}>{status}</Counted>;
  }
  function Selector() {
    const status = useApiRtcSession(selectStatus);
    bodies.hit('selector');
    return <Counted id="selector" onRender={count}>{status}</Counted>;
  }

  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  root.render(
    <AuthProvider {...engineOptions(sdk)}>
      <NaiveBridge>
        <Ours />
        <Naive />
        <Selector />
      </NaiveBridge>
    </AuthProvider>,
  );
  const engine = await within(ready.promise, 5000, 'mount');
  seen.push(engine.getSnapshot().status);
  const stop = engine.subscribe(() => {
    snapshots += 1;
    seen.push(engine.getSnapshot().status);
  });
  await untilState(engine, (state) => state.status === 'registered');
  await settle();
  await engine.renew();
  await settle();
  await engine.unregister();
  await untilState(engine, (state) => state.status === 'idle');
  await settle();
  stop();
  root.unmount();
  container.remove();
  bodies.check(renders);
  return { ...renders, statuses: seen.filter((status, i) => status !== seen[i - 1]), snapshots };
}

// ---- 1,000 consumers selecting status while only expiresAt/renewAt change ----

async function quiet(consumers: number, changes: number): Promise<RenderCounts['quiet']> {
  const sdk = new FakeSdk();
  const engine = new SessionEngine(engineOptions(sdk));
  await engine.register();
  const mounted = { ours: 0, naive: 0 };
  const updates = { ours: 0, naive: 0 };
  const bodies = new RenderTally();
  let naiveMs = 0;
  const count: ProfilerOnRenderCallback = (id, phase) => {
    if (phase === 'mount') mounted[id as 'ours' | 'naive'] += 1;
    else updates[id as 'ours' | 'naive'] += 1;
  };
  // The time React spent rendering the tree below the naive provider in its update commits. Ours have no
  // update commit at all (nothing re-renders, the store's listeners only compare the selected value).
  const time: ProfilerOnRenderCallback = (_id, phase, actualDuration) => {
    if (phase !== 'mount') naiveMs += actualDuration;
  };

  function OursStatus() {
    const status = useApiRtcSession(selectStatus);
    bodies.hit('ours');
    return <Counted id="ours" onRender={count}>{status}</Counted>;
  }
  function NaiveStatus() {
    const { status } = useNaive();
    bodies.hit('naive');
    return <Counted id="naive" onRender={count}>{status}</Counted>;
  }
  const list = (kind: Kind) => Array.from({ length: consumers }, (_, i) => (kind === 'ours' ? <OursStatus key={i} /> : <NaiveStatus key={i} />));

  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  root.render(
    <AuthContext.Provider value={engine}>
      <NaiveProvider engine={engine} onCommit={time}>
        {list('ours')}
        {list('naive')}
      </NaiveProvider>
    </AuthContext.Provider>,
  );
  await settle();
  if (mounted.ours !== consumers || mounted.naive !== consumers) throw new Error(`mounted ${mounted.ours}/${mounted.naive} of ${consumers}`);

  // A deferred renewal changes renewAt alone, expiresAt never changes alone: so the store's one writer is called
  // directly with the live phase, moved on by the test (the code the runner calls, including its equality check).
  const store = engine as unknown as { publish(phase: Phase): void };
  const snapshot = engine.getSnapshot();
  if (snapshot.status !== 'registered') throw new Error(`not registered: ${snapshot.status}`);
  const { expiresAt = Date.now() } = snapshot;
  const handle = { ua: snapshot.userAgent } as unknown as UserAgentHandle;
  for (let i = 1; i <= changes; i += 1) {
    const live = { handle, session: snapshot.session as unknown as SessionLike, expiresAt: expiresAt + i * 1000, connected: true };
    store.publish({ kind: 'live', live, retries: NO_RETRIES, error: undefined, renewAt: expiresAt + i * 1000 - 300_000, deadline: undefined, watch: undefined });
    await settle();
  }
  root.unmount();
  container.remove();
  await engine.unregister();
  bodies.check({ ours: mounted.ours + updates.ours, naive: mounted.naive + updates.naive });
  return { consumers, changes, ours: updates.ours, naive: updates.naive, naiveMs };
}

it.runIf(input.parts.includes('c'))('c: renders, ours vs a naive context provider', async ({ task }) => {
  // One untimed round first, so that the driver chunk and React are loaded and warm.
  await lifecycle();
  const counts: RenderCounts = { lifecycle: await lifecycle(), quiet: await quiet(input.consumers, input.quietChanges) };
  task.meta.bench = { renders: counts };
});
