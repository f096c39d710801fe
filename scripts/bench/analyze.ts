/** Turns the raw marks of the DOM parts (and the cloud's events) into the numbers of parts (a) and (b). */
import type { CloudLog } from './dom.js';
import type { RegisterSample, RenewalSample } from './protocol.js';
import { ratioOfMedians, summarize, type Summary } from './stats.js';

export interface RegisterAnalysis {
  provider: Summary;
  bare: Summary;
  ratio: { ratio: number; low: number; high: number };
  /** Provider phases, medians in ms: where its time goes. */
  phases: {
    /** root.render() to the first commit (React renders the tree; effects not run yet). */
    render: number;
    /** First commit to status `registering` (the effect runs engine.start(), the driver chunk resolves). */
    toRegistering: number;
    /** `registering` to `ua.register()` called (SDK promise, token decode and checks, new UserAgent). */
    toSdkRegister: number;
    /** `registering` to the consumer's commit of it (React re-renders before the engine's next step resumes). */
    registeringCommit: number;
    /** Share of runs in which that commit came before `ua.register()` was called. */
    registeringCommitFirst: number;
    /** `ua.register()` called to the `registered` event: the SDK's part. */
    sdk: number;
    /** `registered` event to the consumer's commit with status `registered`. */
    toCommit: number;
  };
  /**
   * From the start to what the cloud saw (its process, same wall clock), medians: the preferredCCS answer
   * sent, the socket.io script sent, the socket handshake accepted.
   */
  preferredCcs: { provider: number; bare: number };
  socketScript: { provider: number; bare: number };
  handshake: { provider: number; bare: number };
  /** From the start to `ua.register()` called, and from there to registered, medians. */
  beforeSdk: { provider: number; bare: number };
  inSdk: { provider: number; bare: number };
  /** From the handshake accepted to register() resolved / the registered event, medians. */
  afterHandshake: { provider: number; bare: number };
  cold: { provider: number | undefined; bare: number | undefined };
}

const byKind = <T extends { kind: string }>(samples: readonly T[], kind: T['kind']) => samples.filter((sample) => sample.kind === kind);
const medianOf = (values: number[]) => summarize(values).median;

export function analyzeRegister(samples: RegisterSample[], cold: RegisterSample[], cloud: CloudLog): RegisterAnalysis {
  const provider = byKind(samples, 'provider');
  const bare = byKind(samples, 'bare');
  const time = (sample: RegisterSample) => sample.registered - sample.start;
  const handshakeAt = (sample: RegisterSample) => cloud.registrations.find((record) => record.channelId === sample.channelId)?.wall;
  const sinceStart = (list: RegisterSample[]) => list.flatMap((sample) => {
    const at = handshakeAt(sample);
    return at === undefined ? [] : [at - sample.start];
  });
  const untilRegistered = (list: RegisterSample[]) => list.flatMap((sample) => {
    const at = handshakeAt(sample);
    return at === undefined ? [] : [sample.registered - at];
  });
  const requestAt = (path: string) => (list: RegisterSample[]) =>
    list.flatMap((sample) => {
      const record = cloud.requests.find((request) => request.path === path && request.wall >= sample.start && request.wall <= sample.registered);
      return record ? [record.wall - sample.start] : [];
    });
  const both = (measure: (list: RegisterSample[]) => number[]) => ({ provider: medianOf(measure(provider)), bare: medianOf(measure(bare)) });
  const phase = (from: keyof RegisterSample, to: keyof RegisterSample) =>
    medianOf(provider.map((sample) => (sample[to] as number) - (sample[from] as number)));
  const firstCold = (kind: RegisterSample['kind']) => {
    const sample = cold.find((entry) => entry.kind === kind);
    return sample ? time(sample) : undefined;
  };
  return {
    provider: summarize(provider.map(time)),
    bare: summarize(bare.map(time)),
    ratio: ratioOfMedians(provider.map(time), bare.map(time)),
    phases: {
      render: phase('start', 'firstCommit'),
      toRegistering: phase('firstCommit', 'registering'),
      toSdkRegister: phase('registering', 'sdkRegister'),
      sdk: phase('sdkRegister', 'registered'),
      registeringCommit: phase('registering', 'registeringCommitted'),
      registeringCommitFirst: provider.filter((sample) => (sample.registeringCommitted ?? Infinity) < sample.sdkRegister).length / provider.length,
      toCommit: phase('registered', 'committed'),
    },
    beforeSdk: both((list) => list.map((sample) => sample.sdkRegister - sample.start)),
    inSdk: both((list) => list.map((sample) => sample.registered - sample.sdkRegister)),
    preferredCcs: both(requestAt('/api/v2/preferredCCS')),
    socketScript: both(requestAt('/socket.io/v3/socket.io.js')),
    handshake: both(sinceStart),
    afterHandshake: both(untilRegistered),
    cold: { provider: firstCold('provider'), bare: firstCold('bare') },
  };
}

export interface RenewalAnalysis {
  /** Client side: the engine's `unregistered` event → `registered` event / unregister() resolved → register() resolved. */
  client: { provider: Summary; bare: Summary; ratio: { ratio: number; low: number; high: number } };
  /** Cloud side: the old session's disconnect → the new session's handshake accepted (both in the cloud's process). */
  cloud: { provider: Summary; bare: Summary; ratio: { ratio: number; low: number; high: number } };
  /** renew() called / unregister() called → registered: the whole swap. */
  total: { provider: Summary; bare: Summary };
  /** renew() called → old session gone (provider: fresh token, then ua.unregister()). */
  untilGone: { provider: Summary; bare: Summary };
}

export function analyzeRenewal(samples: RenewalSample[], cloud: CloudLog): RenewalAnalysis {
  const provider = byKind(samples, 'provider');
  const bare = byKind(samples, 'bare');
  const clientGap = (sample: RenewalSample) => sample.registered - sample.gone;
  const cloudGap = (sample: RenewalSample): number[] => {
    const gone = cloud.disconnects.find((record) => record.jti === sample.oldJti)?.wall;
    const back = cloud.registrations.find((record) => record.jti === sample.newJti)?.wall;
    return gone === undefined || back === undefined ? [] : [back - gone];
  };
  const both = (measure: (sample: RenewalSample) => number) => ({ provider: summarize(provider.map(measure)), bare: summarize(bare.map(measure)) });
  const cloudProvider = provider.flatMap(cloudGap);
  const cloudBare = bare.flatMap(cloudGap);
  return {
    client: { ...both(clientGap), ratio: ratioOfMedians(provider.map(clientGap), bare.map(clientGap)) },
    cloud: { provider: summarize(cloudProvider), bare: summarize(cloudBare), ratio: ratioOfMedians(cloudProvider, cloudBare) },
    total: both((sample) => sample.registered - sample.start),
    untilGone: both((sample) => sample.gone - sample.start),
  };
}
