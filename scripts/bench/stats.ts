/** Order statistics for the bench: medians with their spread, and a bootstrap interval for a ratio of medians. */

/** A small seeded PRNG (mulberry32): the same scenario, and the same bootstrap, on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear-interpolated quantile of an ascending array (NaN when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  p90: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((x, y) => x - y);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

const median = (values: readonly number[]) => quantile([...values].sort((x, y) => x - y), 0.5);

/**
 * median(a) / median(b), with a 95% percentile-bootstrap interval (both samples resampled independently;
 * a fixed seed, so the interval is stable for the same data).
 */
export function ratioOfMedians(a: readonly number[], b: readonly number[], resamples = 2000): { ratio: number; low: number; high: number } {
  const random = seeded(0x9e3779b9);
  const resample = (values: readonly number[]) => Array.from(values, () => values[Math.floor(random() * values.length)] as number);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i += 1) ratios.push(median(resample(a)) / median(resample(b)));
  ratios.sort((x, y) => x - y);
  return { ratio: median(a) / median(b), low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}
