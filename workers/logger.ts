import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths pino blanks out wherever they appear, so secrets never reach the operator's log. */
const REDACT = [
  'token', 'password', 'secret', 'authorization',
  '*.token', '*.password', '*.secret', '*.authorization', '*.webhookSecret', '*.webhookUrl',
  'headers.authorization', 'headers["x-hub-signature-256"]', 'config.github', 'config.registry.password', 'config.slackWebhookUrl', 'config.apiToken', '*.apiToken', 'config.githubOAuth', '*.clientSecret',
];

/** The operator's log: pino JSON, secrets redacted, on stdout unless given another destination. */
export function createLogger(level: string, name = 'slipway', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
