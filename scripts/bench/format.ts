/** How the bench prints numbers (index.ts and the parts that build their own rows). */
import type { Summary } from './stats.js';

/** One row of the results table: part, measure, ours, baseline, ours / baseline, goal. */
export type Row = [part: string, measure: string, ours: string, baseline: string, result: string, goal: string];

export const int = (value: number) => Math.round(value).toLocaleString('en-US');
export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const spread = (summary: Summary) => `${ms(summary.median)} [${summary.p25.toFixed(1)}–${summary.p75.toFixed(1)}]`;
export const ratio = (r: { ratio: number; low: number; high: number }) => `×${r.ratio.toFixed(2)} (95% CI ${r.low.toFixed(2)}–${r.high.toFixed(2)})`;
export const pct = (value: number) => `${(value * 100).toFixed(2)}%`;
export const bytes = (value: number) => `${int(value)} B`;
