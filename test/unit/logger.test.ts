/** The operator's log never carries a secret, wherever in a line's fields it was put. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../workers/logger.ts';

const SECRET = 'ghp_s3cr3t-value';

/** The JSON lines a logger at `info` wrote while `log` ran. */
function lines(log: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
  const written: string[] = [];
  log(createLogger('info', 'slipway', { write: (line: string) => void written.push(line) }));
  return written.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the operator log', () => {
  it('blanks secrets at the top, one level down under any key, and on the paths named', () => {
    const out = lines((logger) => {
      logger.info({ token: SECRET, password: SECRET, secret: SECRET, authorization: SECRET }, 'top');
      logger.info({ github: { token: SECRET, apiUrl: 'https://api.github.com' }, slack: { webhookUrl: SECRET }, oauth: { clientSecret: SECRET }, api: { apiToken: SECRET }, hook: { webhookSecret: SECRET } }, 'nested');
      logger.info({ headers: { authorization: `token ${SECRET}`, 'x-hub-signature-256': SECRET, 'user-agent': 'GitHub-Hookshot' } }, 'headers');
      logger.info({ config: { github: { app: { privateKey: SECRET } }, registry: { address: 'r:5000', password: SECRET }, slackWebhookUrl: SECRET, apiToken: SECRET, githubOAuth: { clientId: 'x', clientSecret: SECRET } } }, 'config');
    });
    assert.equal(out.length, 4);
    for (const line of out) assert.ok(!JSON.stringify(line).includes(SECRET), `no secret in ${JSON.stringify(line)}`);
    assert.deepEqual(out[1]!.github, { token: '[redacted]', apiUrl: 'https://api.github.com' }, 'what is not secret stays');
    assert.equal((out[2]!.headers as Record<string, string>)['user-agent'], 'GitHub-Hookshot');
    assert.equal((out[3]!.config as { registry: { address: string } }).registry.address, 'r:5000');
  });

  it('leaves what the caller logged as it was, and an error still reads as an error', () => {
    const fields = { github: { token: SECRET } };
    const err = Object.assign(new Error('refused'), { password: SECRET });
    const [first, second] = lines((logger) => {
      logger.info(fields, 'one');
      logger.warn({ err }, 'two');
    });
    assert.equal(fields.github.token, SECRET);
    assert.equal(err.password, SECRET);
    assert.deepEqual(first!.github, { token: '[redacted]' });
    const logged = second!.err as Record<string, unknown>;
    assert.equal(logged.message, 'refused');
    assert.equal(logged.type, 'Error');
    assert.equal(logged.password, '[redacted]');
  });

  it('writes a line with no secrets as it was given', () => {
    const [line] = lines((logger) => logger.info({ delivery: 'd-1', builds: ['12'], sha: 'f'.repeat(40) }, 'builds queued'));
    assert.deepEqual({ delivery: line!.delivery, builds: line!.builds, sha: line!.sha, msg: line!.msg }, { delivery: 'd-1', builds: ['12'], sha: 'f'.repeat(40), msg: 'builds queued' });
  });
});
