/**
 * The cloud's own error for bad options (the cloud shares no code with the browser or server parts of the
 * package, so that a mistake there is not repeated here). Same shape as the package's errors:
 * `code` 'INVALID_CONFIG' and `field` naming the option at fault.
 */
export class LocalCloudConfigError extends Error {
  override readonly name = 'LocalCloudConfigError';
  readonly code = 'INVALID_CONFIG';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export function isLocalCloudConfigError(value: unknown): value is LocalCloudConfigError {
  return value instanceof LocalCloudConfigError;
}

/** The cloud's messages start with the field: `port must be ...`. */
export function invalid(field: string, message: string): LocalCloudConfigError {
  return new LocalCloudConfigError(field, `${field} ${message}`);
}

/** Ids the SDK writes unescaped into its handshake URL (`?channelId=` + id): nothing a URL would read otherwise. */
export const URL_SAFE_ID = /^[\w.@-]+$/;

/** Throws INVALID_CONFIG naming `field` unless `value` is a non-blank string without surrounding whitespace. */
export function requireText(field: string, value: unknown, options: { noColon?: boolean; noWhitespace?: boolean; urlSafe?: boolean } = {}): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'is required and must be a non-empty string');
  if (value !== value.trim()) throw invalid(field, 'must not start or end with whitespace');
  if (options.noWhitespace && /\s/.test(value)) throw invalid(field, 'must not contain whitespace');
  // The SDK reads the uri prefix up to the first ':' ("apiKey:KEY"); a ':' inside would change the mode.
  if (options.noColon && value.includes(':')) throw invalid(field, "must not contain ':'");
  if (options.urlSafe && !URL_SAFE_ID.test(value)) {
    throw invalid(field, 'may only contain letters, digits, "_", ".", "@" and "-" (the SDK sends it unescaped in a URL)');
  }
  return value;
}
