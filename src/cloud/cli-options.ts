import { LocalCloudConfigError } from './errors.js';
import { DEFAULT_CLOUD_PORT, DEV_API_KEY, DEV_API_SECRET, DEV_LOGIN, DEV_PASSWORD, DEV_USER_ID } from './dev.js';
import type { DisconnectRecord, RefusalRecord, RegistrationRecord } from './records.js';

export interface CloudCliOptions {
  port: number;
  quiet: boolean;
  help: boolean;
}

export const CLI_USAGE = `Usage: apirtc-local-cloud [--port N] [--quiet]   (npx apirtc-local-cloud; in this repo: npm run cloud --)

Starts the local ApiRTC cloud on 127.0.0.1 with development credentials.
  --port N   port to listen on (default: $APIRTC_CLOUD_PORT or ${DEFAULT_CLOUD_PORT}; 0 picks a free port)
  --quiet    do not log registrations, refusals and disconnects
  --help     this text`;

function parsePort(source: string, text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LocalCloudConfigError('port', `${source} must be a port number from 0 to 65535, got "${text}"`);
  }
  return port;
}

/** Reads `--port N` / `--port=N` / `--quiet` / `--help`, then `APIRTC_CLOUD_PORT`. */
export function parseCloudCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CloudCliOptions {
  let port: number | undefined;
  let quiet = false;
  let help = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--port') {
      const value = argv[index + 1];
      if (value === undefined) throw new LocalCloudConfigError('port', '--port needs a value');
      port = parsePort('--port', value);
      index += 1;
    } else if (arg.startsWith('--port=')) port = parsePort('--port', arg.slice('--port='.length));
    else throw new LocalCloudConfigError('argv', `unknown argument "${arg}"\n\n${CLI_USAGE}`);
  }
  const fromEnv = env.APIRTC_CLOUD_PORT;
  if (port === undefined && fromEnv !== undefined && fromEnv !== '') port = parsePort('APIRTC_CLOUD_PORT', fromEnv);
  return { port: port ?? DEFAULT_CLOUD_PORT, quiet, help };
}

/** What `npm run cloud` prints once listening. `devToken` is a ready JWT for the id `alice`. */
export function cloudBanner(url: string, devToken: string): string {
  return `Local ApiRTC cloud listening on ${url} (loopback only; development credentials, never production)

  apiKey     ${DEV_API_KEY}
  secret     ${DEV_API_SECRET}   (signs JWTs; keep it server side)
  login      ${DEV_LOGIN} / ${DEV_PASSWORD}   (user id ${DEV_USER_ID})

Register from a page (the @apirtc/apirtc SDK), cloudUrl = '${url}':
  anonymous  new apiRTC.UserAgent({ uri: 'apiKey:${DEV_API_KEY}' }).register({ cloudUrl: '${url}' })
  login      new apiRTC.UserAgent({ uri: 'apirtc:${DEV_LOGIN}' }).register({ cloudUrl: '${url}', password: '${DEV_PASSWORD}' })
  JWT        new apiRTC.UserAgent({ uri: 'apiKey:${DEV_API_KEY}' }).register({ cloudUrl: '${url}', id: 'alice', token })

A JWT for id 'alice' (1 h):
  ${devToken}
More tokens:  curl -X POST ${url}/_cloud/token -H 'content-type: application/json' -d '{"userId":"bob","expiresIn":60}'

Try it:
  curl '${url}/api/v2/preferredCCS?apiKey=${DEV_API_KEY}'
  curl ${url}/_cloud/state
  curl -X POST ${url}/_cloud/faults/drop            # network drop: the SDK reconnects
  curl -X POST ${url}/_cloud/faults/down -d '{"forMs":5000}'

Ctrl+C stops it.`;
}

function who(record: { mode: string; channelId: string | undefined }): string {
  return `${record.mode} ${record.channelId ?? '(no id)'}`;
}

/** One log line per event. Never prints a token. */
export const cliLog = {
  registration: (record: RegistrationRecord) => `registered   ${who(record)}${record.jti ? ` (jti ${record.jti})` : ''}`,
  refusal: (record: RefusalRecord) => `refused      ${record.stage} ${who(record)}: ${record.reason}`,
  disconnect: (record: DisconnectRecord) => `disconnected ${who(record)}: ${record.cause} (${record.reason})`,
};
