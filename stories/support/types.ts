/**
 * What the browser learns about the demos' local services (see .storybook/demo-services.ts).
 * Only URLs and the development cloud's public credentials: the signing secret stays in Node.
 */
export interface DemoServices {
  /** Who started the services: Storybook's dev server (`npm start`) or the story tests' Vitest globalSetup. */
  host: 'storybook' | 'vitest';
  /** The local ApiRTC cloud most demos register against (`cloudUrl`). */
  cloudUrl: string;
  /** A second local cloud, only for the fault demos: taking it down disturbs no other demo. */
  faultsCloudUrl: string;
  /** The token endpoint (`createTokenHandler`): POST, answers tokens of `tokenLifetimeSeconds`. */
  tokenUrl: string;
  /** The header the demo token endpoint trusts as the user's identity (a real app uses its session). */
  demoUserHeader: string;
  /** Demo-only routes (bad tokens, the faults cloud's up/reset), served by Node next to the token endpoint. */
  demoApiUrl: string;
  /** The development apiKey of the local clouds. */
  apiKey: string;
  /** The development login user of the local clouds. */
  login: string;
  password: string;
  /** Its ApiRTC user id: the session id after a login registration. */
  loginUserId: string;
  tokenLifetimeSeconds: number;
  /** The real ApiRTC cloud, when enabled through environment variables (never in tests). */
  live: LiveCloud | null;
}

/** How the live-cloud demo registers against https://cloud.apirtc.com. */
export type LiveCloud =
  | { auth: 'apiKey'; cloudUrl: string; apiKey: string }
  | {
      auth: 'jwt';
      cloudUrl: string;
      apiKey: string;
      userId: string;
      tokenUrl: string;
      /** 'secret': signed by the Storybook server with APIRTC_SECRET; 'endpoint': your own token endpoint. */
      tokenSource: 'secret' | 'endpoint';
    };

/** The bad tokens the demo API signs on request (server-side: the secret never reaches the browser). */
export type BadTokenKind = 'expired' | 'wrong-secret' | 'wrong-user' | 'unsigned';

export const BAD_TOKEN_KINDS: readonly BadTokenKind[] = ['expired', 'wrong-secret', 'wrong-user', 'unsigned'];
