import { pino, type DestinationStream, type Logger } from 'pino';

const CENSOR = '[redacted]';

/** Paths pino blanks out, so secrets never reach the operator's log. */
const REDACT = [
  'token', 'password', 'secret', 'authorization',
  'headers.authorization', 'headers["x-hub-signature-256"]', 'config.github', 'config.registry.password', 'config.slackWebhookUrl', 'config.apiToken', 'config.githubOAuth',
];

/** Keys blanked one level down, under any key (`{ github: { token } }`, `{ err: { password } }`). */
const NESTED_SECRETS = ['token', 'password', 'secret', 'authorization', 'webhookSecret', 'webhookUrl', 'apiToken', 'clientSecret'];

/**
 * The log line's fields with every NESTED_SECRETS key one level down blanked, in copies (what the
 * caller logged is left as it was; an error keeps its class, so pino still serializes it as one).
 * Written here rather than as pino `*.token` paths: pino's redaction runs every field of every line
 * through a wildcard path, which cost 6–10 µs a line (3 % of a webhook delivery); this looks at
 * the keys of the fields that are objects, and copies only what holds a secret.
 */
export function censorNestedSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let censored: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const found = NESTED_SECRETS.filter((k) => Object.hasOwn(value, k));
    if (found.length === 0) continue;
    const copy = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>;
    for (const k of found) Object.defineProperty(copy, k, { value: CENSOR, enumerable: true, writable: true, configurable: true });
    censored ??= { ...fields };
    censored[key] = copy;
  }
  return censored ?? fields;
}

/** The operator's log: pino JSON, secrets redacted, on stdout unless given another destination. */
export function createLogger(level: string, name = 'slipway', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: CENSOR }, formatters: { log: censorNestedSecrets } };
  return destination ? pino(options, destination) : pino(options);
}
