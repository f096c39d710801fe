import { describe, expect, it, vi } from 'vitest';
import { defaultLeadMs, HARD_DEADLINE_MS, hardDeadline, leadFor, MAX_DEFAULT_LEAD_MS, planRenewal } from '../../src/core/renewal.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('defaultLeadMs', () => {
  it('is a fifth of the lifetime', () => {
    expect(defaultLeadMs(20_000)).toBe(4_000);
    expect(defaultLeadMs(10 * MIN)).toBe(2 * MIN);
    expect(defaultLeadMs(0)).toBe(0);
  });

  it('is capped at 5 minutes', () => {
    expect(MAX_DEFAULT_LEAD_MS).toBe(5 * MIN);
    expect(defaultLeadMs(25 * MIN)).toBe(5 * MIN);
    expect(defaultLeadMs(25 * MIN + 5)).toBe(5 * MIN);
    expect(defaultLeadMs(HOUR)).toBe(5 * MIN);
    expect(defaultLeadMs(24 * HOUR)).toBe(5 * MIN);
  });
});

describe('leadFor', () => {
  it('uses the default without leadMs', () => {
    expect(leadFor({}, HOUR)).toBe(5 * MIN);
    expect(leadFor({}, 20_000)).toBe(4_000);
  });

  it('uses a number as it is, whatever the lifetime', () => {
    expect(leadFor({ leadMs: 10_000 }, HOUR)).toBe(10_000);
    expect(leadFor({ leadMs: 10_000 }, 20_000)).toBe(10_000);
    expect(leadFor({ leadMs: 0.5 }, HOUR)).toBe(0.5);
  });

  it('calls a function with the lifetime', () => {
    const leadMs = vi.fn((lifetime: number) => lifetime / 10);
    expect(leadFor({ leadMs }, HOUR)).toBe(6 * MIN);
    expect(leadMs).toHaveBeenCalledWith(HOUR);
  });

  it.each([
    ['zero', 0],
    ['a negative number', -1_000],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a string', '10000' as unknown as number],
    ['null', null as unknown as number],
  ])('falls back to the default for %s', (_name, leadMs) => {
    expect(leadFor({ leadMs }, HOUR)).toBe(5 * MIN);
    expect(leadFor({ leadMs }, 20_000)).toBe(4_000);
  });

  it.each([
    ['zero', () => 0],
    ['a negative number', () => -5],
    ['NaN', () => Number.NaN],
    ['Infinity', () => Number.POSITIVE_INFINITY],
    ['undefined', () => undefined as unknown as number],
  ])('falls back to the default when the function returns %s', (_name, leadMs) => {
    expect(leadFor({ leadMs }, HOUR)).toBe(5 * MIN);
  });
});

describe('planRenewal', () => {
  const hourToken = NOW + HOUR;

  it('a 1 h token renews 5 to 7.5 minutes early with the default jitter 0.5', () => {
    expect(planRenewal({}, hourToken, NOW, () => 0)).toBe(hourToken - 5 * MIN);
    expect(planRenewal({}, hourToken, NOW, () => 1)).toBe(hourToken - 7.5 * MIN);
    expect(planRenewal({}, hourToken, NOW, () => 0.5)).toBe(hourToken - 6.25 * MIN);
  });

  it('a 20 s token renews 4 to 6 seconds early', () => {
    const expiresAt = NOW + 20_000;
    expect(planRenewal({}, expiresAt, NOW, () => 0)).toBe(expiresAt - 4_000);
    expect(planRenewal({}, expiresAt, NOW, () => 1)).toBe(expiresAt - 6_000);
  });

  it('jitter 0 ignores the random source', () => {
    const random = vi.fn(() => 0.9);
    expect(planRenewal({ jitter: 0 }, hourToken, NOW, random)).toBe(hourToken - 5 * MIN);
    expect(planRenewal({ jitter: 0 }, hourToken, NOW, () => 0)).toBe(hourToken - 5 * MIN);
  });

  it('jitter 1 spreads over a whole extra lead', () => {
    expect(planRenewal({ jitter: 1 }, hourToken, NOW, () => 0)).toBe(hourToken - 5 * MIN);
    expect(planRenewal({ jitter: 1 }, hourToken, NOW, () => 1)).toBe(hourToken - 10 * MIN);
  });

  it('clamps a jitter out of range to 0..1', () => {
    expect(planRenewal({ jitter: 3 }, hourToken, NOW, () => 1)).toBe(hourToken - 10 * MIN);
    expect(planRenewal({ jitter: -2 }, hourToken, NOW, () => 1)).toBe(hourToken - 5 * MIN);
    expect(planRenewal({ jitter: Number.POSITIVE_INFINITY }, hourToken, NOW, () => 1)).toBe(hourToken - 10 * MIN);
  });

  it('a NaN jitter still gives a renewal time (falls back to the default)', () => {
    const renewAt = planRenewal({ jitter: Number.NaN }, hourToken, NOW, () => 1);
    expect(Number.isFinite(renewAt)).toBe(true);
    expect(renewAt).toBe(hourToken - 7.5 * MIN);
  });

  it('is never earlier than halfway to expiry, even with a lead longer than the lifetime', () => {
    expect(planRenewal({ leadMs: 50 * MIN }, hourToken, NOW, () => 0)).toBe(NOW + 30 * MIN);
    expect(planRenewal({ leadMs: 10 * HOUR, jitter: 1 }, hourToken, NOW, () => 1)).toBe(NOW + 30 * MIN);
    expect(planRenewal({ leadMs: () => 2 * HOUR }, NOW + 10_000, NOW, () => 1)).toBe(NOW + 5_000);
  });

  it('halfway is measured from now, not from when the token was issued', () => {
    // 10 minutes left, lead 8 minutes: halfway from now wins over expiry - lead.
    const expiresAt = NOW + 10 * MIN;
    expect(planRenewal({ leadMs: 8 * MIN, jitter: 0 }, expiresAt, NOW, () => 0)).toBe(NOW + 5 * MIN);
  });

  it('is always within [now + lifetime/2, expiresAt - lead] for any random value', () => {
    const expiresAt = NOW + 20 * MIN;
    for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.99, 1]) {
      const at = planRenewal({}, expiresAt, NOW, () => r);
      expect(at).toBeGreaterThanOrEqual(NOW + 10 * MIN);
      expect(at).toBeLessThanOrEqual(expiresAt - 4 * MIN);
    }
  });

  it('passes the remaining lifetime to a lead function', () => {
    const leadMs = vi.fn(() => 1_000);
    planRenewal({ leadMs }, NOW + 45 * MIN, NOW + 15 * MIN, () => 0);
    expect(leadMs).toHaveBeenCalledWith(30 * MIN);
  });

  it('returns a whole millisecond', () => {
    const at = planRenewal({}, NOW + 12_345, NOW, () => 0.3);
    expect(Number.isInteger(at)).toBe(true);
    expect(at).toBe(Math.round(NOW + 12_345 - 2_469 - 0.5 * 2_469 * 0.3));
  });

  it('an expiry already past renews now, never in the past', () => {
    expect(planRenewal({}, NOW - 5_000, NOW, () => 1)).toBe(NOW);
    expect(planRenewal({}, NOW, NOW, () => 0.5)).toBe(NOW);
  });
});

describe('hardDeadline', () => {
  it('is 15 s before expiry when the lead is longer', () => {
    expect(HARD_DEADLINE_MS).toBe(15_000);
    expect(hardDeadline({}, NOW + HOUR, HOUR)).toBe(NOW + HOUR - 15_000);
    expect(hardDeadline({ leadMs: 60_000 }, NOW + HOUR, HOUR)).toBe(NOW + HOUR - 15_000);
  });

  it('is the lead before expiry when the lead is shorter than 15 s', () => {
    expect(hardDeadline({}, NOW + 20_000, 20_000)).toBe(NOW + 20_000 - 4_000);
    expect(hardDeadline({ leadMs: 5_000 }, NOW + HOUR, HOUR)).toBe(NOW + HOUR - 5_000);
    expect(hardDeadline({ leadMs: (lifetime) => lifetime / 1_000 }, NOW + HOUR, HOUR)).toBe(NOW + HOUR - 3_600);
  });

  it('lies between the planned renewal and expiry', () => {
    const expiresAt = NOW + HOUR;
    const renewAt = planRenewal({}, expiresAt, NOW, () => 1);
    const latest = hardDeadline({}, expiresAt, HOUR);
    expect(latest).toBeGreaterThan(renewAt);
    expect(latest).toBeLessThan(expiresAt);
  });
});

describe('hardDeadline with a register() that outlasted the token', () => {
  it('a negative lifetime never puts the deadline after expiry', () => {
    expect(hardDeadline({}, NOW + 10_000, -5_000)).toBeLessThanOrEqual(NOW + 10_000);
  });
});
