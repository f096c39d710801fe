import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import {
  CloudClosedError,
  DEV_API_KEY,
  DEV_LOGIN,
  DEV_PASSWORD,
  DEV_USER_ID,
  startApiRtcCloud,
  type ApiRtcCloud,
} from '../../src/cloud/index.js';
import { connectOk, nextClientEvent } from '../support/ccs-client.js';

const run = promisify(execFile);
const tsxCli = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

async function withCloud<T>(body: (cloud: ApiRtcCloud) => Promise<T>, options?: Parameters<typeof startApiRtcCloud>[0]): Promise<T> {
  const cloud = await startApiRtcCloud(options);
  try {
    return await body(cloud);
  } finally {
    await cloud.close();
  }
}

describe('starting', () => {
  test('without options: the development apiKey and login user, on a free loopback port', async () => {
    await withCloud(async (cloud) => {
      expect(cloud.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(cloud.port).toBeGreaterThan(0);
      expect((await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=${DEV_API_KEY}`)).status).toBe(200);
      const form = new FormData();
      form.set('username', DEV_LOGIN);
      form.set('password', DEV_PASSWORD);
      const { token } = (await (await fetch(`${cloud.url}/api/v3/authenticate`, { method: 'POST', body: form })).json()) as { token: string };
      const me = (await (await fetch(`${cloud.url}/api/v2/users/me`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { userId: string };
      expect(me.userId).toBe(DEV_USER_ID);
    });
  });

  test("host 'localhost' is accepted and used in the url and ccs", async () => {
    await withCloud(
      async (cloud) => {
        expect(cloud.url).toBe(`http://localhost:${cloud.port}`);
        expect(cloud.ccs).toBe(`localhost:${cloud.port}`);
        expect((await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=k`)).status).toBe(200);
      },
      { host: 'localhost', apiKeys: { k: 's' } },
    );
  });

  test('a port in use rejects with EADDRINUSE', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startApiRtcCloud({ port, apiKeys: { k: 's' } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('down and up', () => {
  test('down cuts every connection (cause "down") and refuses new ones; up listens again on the same port', async () => {
    await withCloud(
      async (cloud) => {
        const port = cloud.port;
        const socket = await connectOk(cloud, { channelId: 'x', apiKey: 'k' }, { reconnection: true });
        const clientSaw = nextClientEvent<[string]>(socket, 'disconnect');
        const recorded = cloud.waitFor('disconnect');
        const downEvent = cloud.waitFor('down');

        await cloud.faults.down();
        await downEvent;
        expect(await recorded).toMatchObject({ channelId: 'x', cause: 'down' });
        expect(['transport close', 'transport error']).toContain((await clientSaw)[0]);
        expect(cloud.isUp).toBe(false);
        expect(cloud.faults.state.down).toBe(true);
        await expect(fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=k`)).rejects.toThrow();
        await cloud.faults.down(); // already down: harmless

        const back = cloud.waitFor('registration', (record) => record.channelId === 'x');
        await cloud.faults.up();
        expect(cloud.port).toBe(port);
        expect(cloud.isUp).toBe(true);
        await back; // the socket.io client reconnected by itself
        expect(cloud.sessions()).toHaveLength(1);
        socket.close();
      },
      { apiKeys: { k: 's' } },
    );
  });

  test('down({ forMs }) comes back by itself; up() before that cancels the timer', async () => {
    await withCloud(
      async (cloud) => {
        const up = cloud.waitFor('up');
        await cloud.faults.down({ forMs: 100 });
        await up;
        expect(cloud.isUp).toBe(true);

        await cloud.faults.down({ forMs: 60_000 });
        await cloud.faults.up();
        expect(cloud.isUp).toBe(true);
      },
      { apiKeys: { k: 's' } },
    );
  });
});

describe('closing', () => {
  test('close() releases the port and every connection; it is idempotent; the cloud is unusable after', async () => {
    const cloud = await startApiRtcCloud({ apiKeys: { k: 's' } });
    const socket = await connectOk(cloud, { channelId: 'x', apiKey: 'k' });
    const gone = cloud.waitFor('disconnect');
    const clientSaw = nextClientEvent<[string]>(socket, 'disconnect');

    await Promise.all([cloud.close(), cloud.close()]);

    expect(cloud.isUp).toBe(false);
    await expect(gone).resolves.toMatchObject({ cause: 'close' });
    await clientSaw;
    socket.close();
    await expect(fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=k`)).rejects.toThrow();
    await expect(cloud.faults.up()).rejects.toBeInstanceOf(CloudClosedError);
    await expect(cloud.waitFor('registration')).rejects.toBeInstanceOf(CloudClosedError);
  });

  test('close() while down works', async () => {
    const cloud = await startApiRtcCloud({ apiKeys: { k: 's' } });
    await cloud.faults.down();
    await cloud.close();
    expect(cloud.isUp).toBe(false);
  });

  test('a process that used the cloud exits by itself after close(): no leaked handle', async () => {
    const script = fileURLToPath(new URL('./fixtures/close-then-exit.ts', import.meta.url));
    const { stdout } = await run(process.execPath, [tsxCli, script], { timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual({ pending: 'CloudClosedError', client: 'transport close' });
  }, 40_000);
});

describe('waitFor', () => {
  test('resolves with the first matching event, rejects on timeout and on abort', async () => {
    await withCloud(
      async (cloud) => {
        const second = cloud.waitFor('request', (record) => record.status === 401);
        await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=k`);
        await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=nope`);
        expect(await second).toMatchObject({ status: 401 });

        await expect(cloud.waitFor('registration', undefined, { timeoutMs: 20 })).rejects.toThrow("waitFor('registration') timed out after 20 ms");
        const controller = new AbortController();
        const aborted = expect(cloud.waitFor('registration', undefined, { signal: controller.signal })).rejects.toThrow('stop');
        controller.abort(new Error('stop'));
        await aborted;
        expect(cloud.listenerCount('registration')).toBe(0);
        expect(cloud.listenerCount('request')).toBe(0);
      },
      { apiKeys: { k: 's' } },
    );
  });

  test('a throwing predicate rejects the wait', async () => {
    await withCloud(
      async (cloud) => {
        const outcome = cloud
          .waitFor('request', () => {
            throw new Error('bad predicate');
          })
          .then(
            () => 'resolved',
            (error: Error) => error.message,
          );
        await fetch(`${cloud.url}/api/v2/preferredCCS?apiKey=k`);
        expect(await outcome).toBe('bad predicate');
      },
      { apiKeys: { k: 's' } },
    );
  });
});
