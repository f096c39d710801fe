/**
 * Parts (d) and (e): pure simulations (no timers) of the renewal policy, through the engine's real
 * functions: localExpiry (src/core/jwt.ts) turns a token into its expiry on the local clock, and
 * planRenewal (src/core/renewal.ts) picks the renewal instant, as the driver does in onRegistered().
 */
import { localExpiry } from '../../src/core/jwt.js';
import { planRenewal, type RenewalOptions } from '../../src/core/renewal.js';
import { quantile, seeded } from './stats.js';

const between = (random: () => number, min: number, max: number) => min + (max - min) * random();
const logBetween = (random: () => number, min: number, max: number) => Math.exp(between(random, Math.log(min), Math.log(max)));

// ---- (d) renewal timing under clock skew and sleep ----

export interface TimingScenario {
  lifetimes: number;
  /** Token lifetimes (exp - iat), seconds, drawn uniformly. All above the largest skew: see BENCHMARKS.md. */
  lifetimeChoicesS: readonly number[];
  /** Client clock minus server clock, uniform in [-maxSkewMs, +maxSkewMs]. */
  maxSkewMs: number;
  /** Share of lifetimes with one sleep (suspended laptop: no timer runs). */
  sleepShare: number;
  /** Sleep durations, log-uniform. */
  sleepMinMs: number;
  sleepMaxMs: number;
  seed: number;
}

export const DEFAULT_TIMING_SCENARIO: TimingScenario = {
  lifetimes: 10_000,
  lifetimeChoicesS: [600, 900, 1800, 3600, 7200, 28_800, 86_400],
  maxSkewMs: 5 * 60_000,
  sleepShare: 0.5,
  sleepMinMs: 60_000,
  sleepMaxMs: 12 * 3_600_000,
  seed: 6,
};

export interface TimingResult {
  scenario: TimingScenario;
  /** Renewal started before exp (server clock). */
  beforeExp: number;
  /** The machine slept through exp (asleep at exp, renewal on wake-up after it): no timer can help. */
  sleptThroughExp: number;
  /** Started at or after exp while awake: a policy failure. */
  lateAwake: number;
  /** Fired on wake-up (a sleep passed renewAt) and still before exp. */
  wokeBeforeExp: number;
  /** Seconds between the renewal and exp (server clock), for those before exp. */
  lead: { min: number; p1: number; p50: number; p99: number; max: number };
  /** The same, of the ones that fired on schedule (no sleep across renewAt). */
  scheduledLead: { min: number; p50: number };
}

/**
 * One token lifetime: the server signs at `issued` (server clock), the client receives it after a fetch
 * latency, registers after a register latency (planRenewal runs then, as in the driver's onRegistered),
 * and its clock is off by `skew`. The renewal fires at renewAt on the local clock, or, when a sleep spans
 * renewAt, at wake-up (the deadline timer re-reads the clock on wake: src/core/deadline.ts).
 */
export function simulateTiming(scenario: TimingScenario = DEFAULT_TIMING_SCENARIO, jitterRandom: () => number = Math.random): TimingResult {
  const random = seeded(scenario.seed);
  const options: RenewalOptions = {};
  const leads: number[] = [];
  const scheduled: number[] = [];
  let beforeExp = 0;
  let sleptThroughExp = 0;
  let lateAwake = 0;
  let wokeBeforeExp = 0;
  const epoch = Date.UTC(2026, 10, 28);
  for (let i = 0; i < scenario.lifetimes; i += 1) {
    const lifetimeS = scenario.lifetimeChoicesS[Math.floor(random() * scenario.lifetimeChoicesS.length)] as number;
    const issued = epoch + Math.floor(random() * 86_400_000); // server clock, ms
    const iat = Math.floor(issued / 1000);
    const exp = iat + lifetimeS;
    const skew = between(random, -scenario.maxSkewMs, scenario.maxSkewMs); // local = server + skew
    const receivedAt = issued + between(random, 20, 500) + skew; // local clock
    const registeredAt = receivedAt + between(random, 50, 1000); // local clock
    const expiresAt = localExpiry({ exp, iat, jti: undefined }, receivedAt);
    if (expiresAt === undefined) throw new Error('a token with exp has a local expiry');
    const renewAt = planRenewal(options, expiresAt, registeredAt, jitterRandom);

    let fire = renewAt; // local clock
    let woke = false;
    if (random() < scenario.sleepShare) {
      const sleepStart = between(random, registeredAt, expiresAt);
      const sleepEnd = sleepStart + logBetween(random, scenario.sleepMinMs, scenario.sleepMaxMs);
      if (sleepStart <= renewAt && renewAt < sleepEnd) {
        fire = sleepEnd;
        woke = true;
      }
    }
    const leadMs = exp * 1000 - (fire - skew); // on the server clock
    if (leadMs > 0) {
      beforeExp += 1;
      leads.push(leadMs / 1000);
      if (woke) wokeBeforeExp += 1;
      else scheduled.push(leadMs / 1000);
    } else if (woke) {
      sleptThroughExp += 1;
    } else {
      lateAwake += 1;
    }
  }
  leads.sort((x, y) => x - y);
  scheduled.sort((x, y) => x - y);
  return {
    scenario,
    beforeExp,
    sleptThroughExp,
    lateAwake,
    wokeBeforeExp,
    lead: { min: leads[0] ?? NaN, p1: quantile(leads, 0.01), p50: quantile(leads, 0.5), p99: quantile(leads, 0.99), max: leads.at(-1) ?? NaN },
    scheduledLead: { min: scheduled[0] ?? NaN, p50: quantile(scheduled, 0.5) },
  };
}

// ---- (e) thundering herd ----

export interface HerdResult {
  clients: number;
  lifetimeS: number;
  /** With the default policy (jitter 0.5). */
  peakPerSecond: number;
  meanPerSecond: number;
  /** Seconds from the first renewal to the last (inclusive), the window the mean is taken over. */
  windowS: number;
  /** The same clients without jitter (`renewal={{ jitter: 0 }}`): everyone in the same second or two. */
  noJitterPeakPerSecond: number;
  noJitterWindowS: number;
}

function perSecond(instants: number[]): { peak: number; windowS: number } {
  const buckets = new Map<number, number>();
  let first = Infinity;
  let last = -Infinity;
  for (const at of instants) {
    const second = Math.floor(at / 1000);
    buckets.set(second, (buckets.get(second) ?? 0) + 1);
    first = Math.min(first, second);
    last = Math.max(last, second);
  }
  return { peak: Math.max(...buckets.values()), windowS: last - first + 1 };
}

/**
 * `clients` tokens of `lifetimeS` issued in the same second (server clock), each received within that
 * second and registered up to a second later; renewal instants from planRenewal with Math.random.
 */
export function simulateHerd(clients = 100_000, lifetimeS = 3600, random: () => number = Math.random): HerdResult {
  const issued = Date.UTC(2026, 10, 28, 9);
  const iat = Math.floor(issued / 1000);
  const exp = iat + lifetimeS;
  const withJitter: number[] = [];
  const withoutJitter: number[] = [];
  for (let i = 0; i < clients; i += 1) {
    const receivedAt = issued + random() * 1000;
    const registeredAt = receivedAt + 50 + random() * 950;
    const expiresAt = localExpiry({ exp, iat, jti: undefined }, receivedAt) as number;
    withJitter.push(planRenewal({}, expiresAt, registeredAt, random));
    withoutJitter.push(planRenewal({ jitter: 0 }, expiresAt, registeredAt, random));
  }
  const jittered = perSecond(withJitter);
  const flat = perSecond(withoutJitter);
  return {
    clients,
    lifetimeS,
    peakPerSecond: jittered.peak,
    meanPerSecond: clients / jittered.windowS,
    windowS: jittered.windowS,
    noJitterPeakPerSecond: flat.peak,
    noJitterWindowS: flat.windowS,
  };
}
