/**
 * Runs the DOM parts (a, b, c) through Vitest's Node API in jsdom workers, with the local cloud in this
 * process, and hands back what the workers measured plus what the cloud saw. Inline config only
 * (`config: false`): the repo's vite.config.ts and `npm test` never see these files.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { startVitest } from 'vitest/node';
import { startApiRtcCloud, type DisconnectRecord, type RegistrationRecord, type RequestRecord } from '../../src/cloud/index.js';
import { wallNow, type BenchInput, type BenchMeta, type PartId } from './protocol.js';

/** The test cloud's credentials (test/support/cloud.ts), repeated here: that module registers Vitest hooks. */
export const BENCH_API_KEY = 'test-api-key';
export const BENCH_SECRET = 'test-secret-of-the-local-cloud';

export interface CloudLog {
  registrations: (RegistrationRecord & { wall: number })[];
  disconnects: (DisconnectRecord & { wall: number })[];
  requests: (RequestRecord & { wall: number })[];
}

export interface DomResults {
  meta: BenchMeta;
  cloud: CloudLog;
  /** Names of failed bench-run tests with their errors. */
  failures: string[];
  wallMs: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function runDomParts(parts: PartId[], tuning: Omit<BenchInput, 'cloudUrl' | 'apiKey' | 'secret' | 'parts'>): Promise<DomResults> {
  const started = performance.now();
  const cloud = await startApiRtcCloud({ port: 0, apiKeys: { [BENCH_API_KEY]: BENCH_SECRET } });
  const log: CloudLog = { registrations: [], disconnects: [], requests: [] };
  // Stamped on arrival with the same wall clock as the workers' marks (the records' `at` is whole ms).
  cloud.on('registration', (record) => log.registrations.push({ ...record, wall: wallNow() }));
  cloud.on('disconnect', (record) => log.disconnects.push({ ...record, wall: wallNow() }));
  cloud.on('request', (record) => log.requests.push({ ...record, wall: wallNow() }));

  const files: string[] = [];
  if (parts.includes('a') || parts.includes('b')) files.push('scripts/bench/register.bench-run.tsx');
  if (parts.includes('c')) files.push('scripts/bench/renders.bench-run.tsx');

  const input: BenchInput = { ...tuning, cloudUrl: cloud.url, apiKey: BENCH_API_KEY, secret: BENCH_SECRET, parts };
  const failures: string[] = [];
  const meta: BenchMeta = {};
  try {
    const vitest = await startVitest(
      'test',
      [],
      {
        config: false,
        root: ROOT,
        watch: false,
        include: files,
        environment: 'jsdom',
        // jsdom must fetch and run the <script> the SDK adds (README.md, "Testing with the real SDK").
        environmentOptions: { jsdom: { resources: 'usable' } },
        // One file at a time, one worker: the timed parts must not share the 2 cores with the others.
        fileParallelism: false,
        maxWorkers: 1,
        testTimeout: 300_000,
        hookTimeout: 60_000,
        provide: { bench: input },
        reporters: process.env.BENCH_VERBOSE ? ['default'] : [{}],
        // The SDK's own chatter (it logs at warn and above) is not part of the bench output.
        onConsoleLog: (log) => !/\]apiRTC\(|^Loading APIRTC_MODULE|^CustomEvent \{/.test(log),
      },
      { plugins: [react()], logLevel: 'error', server: { host: '127.0.0.1' } },
    );
    for (const module of vitest.state.getTestModules()) {
      for (const error of module.errors()) failures.push(`${module.moduleId}: ${error.message}`);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'failed') failures.push(`${test.name}: ${result.errors.map((error) => error.message).join('; ')}`);
        Object.assign(meta, test.meta().bench ?? {});
      }
    }
    await vitest.close();
  } finally {
    await cloud.close();
  }
  return { meta, cloud: log, failures, wallMs: performance.now() - started };
}
