/**
 * The API report catches a change to the public API: API Extractor, configured as `npm run check:api` runs it
 * (no `--local`), passes on dist/ against the checked-in etc/api report, and fails against a report that
 * lists one export fewer than the code has (what a new export looks like to the check).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const REPORT = 'apirtc-react-auth.api.md';
let scratch: string;

beforeAll(async () => {
  // `npm test` builds dist/ before Vitest runs; on its own, this test builds it if it is missing.
  if (!existsSync(join(root, 'dist/index.d.ts'))) await promisify(execFile)('npm', ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
  await mkdir(join(root, 'node_modules/.cache'), { recursive: true });
  scratch = await mkdtemp(join(root, 'node_modules/.cache/api-report-'));
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The browser entry's check, as `check:api` runs it, against the report in `reportFolder`. */
function check(reportFolder: string, name: string) {
  const configObjectFullPath = join(root, 'api-extractor.json');
  const configObject = ExtractorConfig.loadFile(configObjectFullPath);
  configObject.apiReport = { ...configObject.apiReport!, enabled: true, reportFolder, reportTempFolder: join(scratch, `${name}-temp`) };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath, packageJsonFullPath: join(root, 'package.json') });
  return Extractor.invoke(config, { localBuild: false, messageCallback: (message) => void (message.handled = true) });
}

it('passes against the checked-in report: it is current', () => {
  const result = check(join(root, 'etc/api'), 'current');
  expect(result.apiReportChanged).toBe(false);
  expect(result.succeeded).toBe(true);
}, 60_000);

it('fails against a report that lacks one of the exports', async () => {
  const report = await readFile(join(root, 'etc/api', REPORT), 'utf8');
  // The first one-line export (a constant or a function), whatever it is called.
  const without = report.replace(/^export (?:const|function) [^\n]*;\n/m, '');
  expect(without).not.toBe(report);
  const folder = join(scratch, 'one-export-fewer');
  await mkdir(folder);
  await writeFile(join(folder, REPORT), without);

  const result = check(folder, 'one-export-fewer');
  expect(result.apiReportChanged).toBe(true);
  expect(result.succeeded).toBe(false);
}, 60_000);
