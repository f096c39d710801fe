/**
 * The bad-input table (rows in ./bad-input.cases.ts): one test per row. Each public entry must refuse the
 * input with the documented ApiRtcAuthError code, field and message (engine rows: before any network call,
 * with the error also in state), or answer with the documented HTTP status and body; no row may echo a
 * secret or a token. Rows marked `bug` are `it.fails` until src/ refuses them.
 * Print the table: `npx tsx scripts/bad-input-table.ts` (docs/guarantees.md holds a copy).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_INPUT_CASES, leaks, mismatch, type BadInputCase } from './bad-input.cases.js';

const rows = BAD_INPUT_CASES.map((row, index) => ({ ...row, label: `#${index + 1} ${row.entry}: ${row.input}` }));
const refused = rows.filter((row) => row.bug === undefined).map((row) => [row.label, row] as const);
const bugs = rows.filter((row) => row.bug !== undefined).map((row) => [row.label, row] as const);

async function check(row: BadInputCase): Promise<void> {
  const actual = await row.run();
  expect(mismatch(actual, row.expected), row.input).toBeUndefined();
  expect(leaks(row, actual), 'a secret or token in the outcome').toEqual([]);
}

afterAll(() => {
  console.log(`bad-input table: ${rows.length} rows, ${refused.length} refused as documented, ${bugs.length} documented bugs (it.fails)`);
});

describe('bad input: refused with the documented code, field and message', () => {
  it.each(refused)('%s', (_label, row) => check(row));
});

// A row may carry `bug` (what happens instead) while src/ does not refuse it yet: it is then it.fails.
if (bugs.length > 0) {
  describe('bad input that gets through (bugs: it.fails until src/ refuses it)', () => {
    it.fails.each(bugs)('%s', (_label, row) => check(row));
  });
}
