import type { Session, UserAgent } from '@apirtc/apirtc';

/** The slice of a UserAgent the engine uses (the real SDK's, or a test double following its documented behaviour). */
export interface UserAgentLike {
  register(options?: object): Promise<SessionLike>;
  unregister(options?: object): Promise<void>;
  isRegistered(): boolean;
  on(event: string, listener: (payload: unknown) => void): unknown;
  removeListener(event: string, listener: (payload: unknown) => void): unknown;
}

/** The slice of a Conversation the engine uses. */
export interface ConversationLike {
  getName?(): string;
  leave?(): Promise<unknown>;
}

/** The slice of a Session the engine uses. */
export interface SessionLike {
  getId(): string;
  getActiveConversations?(): Record<string, ConversationLike>;
}

/** The slice of the `@apirtc/apirtc` module the engine uses. */
export interface ApiRtcSdk {
  UserAgent: new (options: { uri: string }) => UserAgentLike;
  setLogLevel?(level: number): void;
  LOG_LEVEL_WARN?: number;
}

/** Loads the SDK module; the default imports @apirtc/apirtc lazily. */
export type LoadSdk = () => Promise<ApiRtcSdk>;

/** The real SDK types, for the public state. */
export type { Session, UserAgent };

let loading: Promise<ApiRtcSdk> | undefined;

/**
 * Loads @apirtc/apirtc on first use, in its own chunk: it reads `window` when loaded, so it must
 * never be imported during server-side rendering, and it is 1.4 MB that the first paint doesn't need.
 * Its log level is set to warn: at info it writes the customer token into its log.
 */
export const loadApiRtcSdk: LoadSdk = () =>
  (loading ??= import('@apirtc/apirtc').then(
    (module) => {
      // A Vite production build hands the CommonJS bundle over as `default` (and its `default` again).
      let sdk = module as unknown as ApiRtcSdk & { default?: unknown };
      while (!sdk.UserAgent && sdk.default) sdk = sdk.default as typeof sdk;
      if (sdk.setLogLevel && sdk.LOG_LEVEL_WARN !== undefined) sdk.setLogLevel(sdk.LOG_LEVEL_WARN);
      return sdk;
    },
    (error: unknown) => {
      loading = undefined; // a failed chunk load may succeed on the next attempt
      throw error;
    },
  ));
