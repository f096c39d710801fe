import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { cloudBanner, cliLog, parseCloudCliArgs } from '../../src/cloud/cli-options.js';
import { DEFAULT_CLOUD_PORT, DEV_API_KEY, DEV_API_SECRET, DEV_LOGIN, DEV_PASSWORD } from '../../src/cloud/index.js';

const cli = fileURLToPath(new URL('../../src/cloud/cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Starts a CLI process and resolves with its URL once the banner is out. */
async function startCli(args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] && output.includes('Ctrl+C')) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm run cloud: arguments', () => {
  test.each<[string[], Record<string, string>, number]>([
    [[], {}, DEFAULT_CLOUD_PORT],
    [[], { APIRTC_CLOUD_PORT: '4000' }, 4000],
    [['--port', '4001'], { APIRTC_CLOUD_PORT: '4000' }, 4001],
    [['--port=0'], {}, 0],
    [[], { APIRTC_CLOUD_PORT: '' }, DEFAULT_CLOUD_PORT],
  ])('%j with env %j listens on %i', (argv, env, port) => {
    expect(parseCloudCliArgs(argv, env).port).toBe(port);
  });

  test('--quiet and --help', () => {
    expect(parseCloudCliArgs(['--quiet', '--help'], {})).toEqual({ port: DEFAULT_CLOUD_PORT, quiet: true, help: true });
  });

  test.each<[string[], Record<string, string>]>([
    [['--port'], {}],
    [['--port', 'abc'], {}],
    [['--port=70000'], {}],
    [[], { APIRTC_CLOUD_PORT: '-1' }],
    [['--host', '0.0.0.0'], {}],
  ])('%j with env %j is refused', (argv, env) => {
    expect(() => parseCloudCliArgs(argv, env)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  test('the banner shows the URL, the credentials and copy-paste examples', () => {
    const banner = cloudBanner('http://127.0.0.1:3010', 'a.b.c');
    for (const text of ['http://127.0.0.1:3010', DEV_API_KEY, DEV_API_SECRET, DEV_LOGIN, DEV_PASSWORD, 'a.b.c', 'preferredCCS', '_cloud/faults/drop']) {
      expect(banner).toContain(text);
    }
  });

  test('event log lines never carry a token', () => {
    const line = cliLog.registration({ socketId: 's', mode: 'jwt', channelId: 'alice', apiKey: 'k', jti: 'j-1', apiCCSessionId: undefined, origin: undefined, at: 0 });
    expect(line).toBe('registered   jwt alice (jti j-1)');
  });
});

describe('npm run cloud: the process', () => {
  test('starts on loopback, prints how to use it, answers, and stops cleanly on SIGINT', async () => {
    const cloud = await startCli([...tsxArgs(), cli, '--port', '0']);
    let code: number | null;
    try {
      const answer = await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=${DEV_API_KEY}`);
      expect(await answer.json()).toEqual({ ccs: cloud.url.replace('http://', ''), secure: false });
      const token = /A JWT for id 'alice' \(1 h\):\s+(\S+)/.exec(cloud.output())?.[1] ?? '';
      expect(decodeJwt(token)).toMatchObject({ sub: DEV_API_KEY, grants: { apiRTC_UserAgent_Id: 'alice' } });
    } finally {
      code = await cloud.stop();
    }
    expect(code).toBe(0);
    expect(cloud.output()).toContain('SIGINT: stopping the local cloud');
  }, 30_000);

  test('a bad --port exits with code 2 and says why', async () => {
    const failure = await run(process.execPath, [...tsxArgs(), cli, '--port', 'nope']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--port must be a port number');
  }, 30_000);
});

/** Runs tsx through the current node binary (no shell, no npm). */
function tsxArgs(): string[] {
  return [fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url))];
}

describe('the package bin: npx apirtc-local-cloud', () => {
  const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { bin?: Record<string, string>; files?: string[] };
  const bin = manifest.bin?.['apirtc-local-cloud'];

  test('package.json names the built CLI, inside the published files', () => {
    expect(bin).toBe('dist/cloud/cli.js');
    expect(manifest.files).toContain('dist');
  });

  test('the built file keeps its shebang and prints the banner', async () => {
    // `npm test` builds dist/ before Vitest runs; on its own, this test builds it if it is missing.
    if (!existsSync(`${root}${bin}`)) await run('npm', ['run', 'build'], { cwd: root, maxBuffer: 1 << 24 });
    expect(readFileSync(`${root}${bin}`, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const cloud = await startCli([`${root}${bin}`, '--port', '0', '--quiet']);
    expect(cloud.output()).toContain(DEV_API_KEY);
    expect((await fetch(`${cloud.url}/_cloud/state`)).status).toBe(200);
    expect(await cloud.stop()).toBe(0);
  }, 120_000);
});
