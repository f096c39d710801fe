#!/usr/bin/env node
/**
 * `npx apirtc-local-cloud` (in this repo `npm run cloud`): the local ApiRTC cloud on 127.0.0.1 with the
 * development credentials.
 * Port: `--port N`, else `APIRTC_CLOUD_PORT`, else 3010. Stops cleanly on SIGINT/SIGTERM.
 */
import { isLocalCloudConfigError } from './errors.js';
import { CLI_USAGE, cliLog, cloudBanner, parseCloudCliArgs } from './cli-options.js';
import { startApiRtcCloud } from './cloud.js';

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseCloudCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    fail(isLocalCloudConfigError(error) ? error.message : String(error), 2);
  }
  if (options.help) {
    console.log(CLI_USAGE);
    return;
  }
  let cloud;
  try {
    cloud = await startApiRtcCloud({ host: '127.0.0.1', port: options.port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') fail(`Port ${options.port} is in use: pass --port N or set APIRTC_CLOUD_PORT (0 picks a free port).`, 1);
    throw error;
  }
  const { token } = await cloud.signDevToken({ userId: 'alice', expiresIn: 3600 });
  console.log(cloudBanner(cloud.url, token));
  if (!options.quiet) {
    const stamp = () => new Date().toISOString().slice(11, 19);
    cloud.on('registration', (record) => console.log(`${stamp()} ${cliLog.registration(record)}`));
    cloud.on('refusal', (record) => console.log(`${stamp()} ${cliLog.refusal(record)}`));
    cloud.on('disconnect', (record) => console.log(`${stamp()} ${cliLog.disconnect(record)}`));
    cloud.on('down', () => console.log(`${stamp()} down (fault)`));
    cloud.on('up', () => console.log(`${stamp()} up again`));
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl+C: don't wait
    stopping = true;
    console.log(`\n${signal}: stopping the local cloud`);
    cloud.close().then(
      () => process.exit(0),
      (error: unknown) => fail(String(error), 1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => fail(`The local cloud failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1));
