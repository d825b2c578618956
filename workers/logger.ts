import { pino, type Logger } from 'pino';

/** Paths pino blanks out wherever they appear, so secrets never reach the operator's log. */
const REDACT = [
  'token', 'password', 'secret', 'authorization',
  '*.token', '*.password', '*.secret', '*.authorization', '*.webhookSecret', '*.webhookUrl',
  'headers.authorization', 'headers["x-hub-signature-256"]', 'config.github', 'config.registry.password', 'config.slackWebhookUrl',
];

export function createLogger(level: string, name = 'slipway'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
