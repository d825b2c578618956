/**
 * A webhook refused for its signature is counted and logged at warn with its delivery id, at most
 * one line a window however many arrive: the rate limit on its own (windows fired by hand), then
 * through a real server (the first refusal logged at once, the next one only counted).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { createSignatureRefusals } from '../../src/http/signature-refusals.ts';
import { signBody } from '../../src/webhook/verify-signature.ts';
import { startSlipway, type Running } from '../../workers/slipway.ts';
import { pushPayload } from '../fixtures/payloads.ts';
import { testEnv } from '../support/env.ts';
import { freePort } from '../support/free-port.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs);

/** a pino logger whose lines are kept, parsed */
function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) }) };
}

describe('signature refusals in the operator log', () => {
  it('logs the first at once, counts the rest of the window, reports them once per window, then rests', () => {
    const { lines, logger } = capture();
    const windows: (() => void)[] = [];
    const refused = createSignatureRefusals(logger, { windowMs: 60_000, later: (run) => void windows.push(run) });
    refused('d-1');
    assert.deepEqual(lines.map((l) => [l.level, l.delivery, l.total]), [[40, 'd-1', 1]]);
    assert.match(String(lines[0]!.msg), /^webhook delivery refused: X-Hub-Signature-256 missing or not matching; check that GITHUB_WEBHOOK_SECRET/);
    for (let i = 2; i <= 500; i++) refused(`d-${i}`);
    assert.equal(lines.length, 1, 'nothing more within the window');
    windows.shift()!();
    assert.deepEqual(lines.slice(1).map((l) => [l.level, l.delivery, l.refused, l.total, l.msg]), [
      [40, 'd-500', 499, 500, '499 more webhook deliveries refused for their signature; check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub'],
    ]);
    windows.shift()!(); // a quiet window closes it
    assert.equal(windows.length, 0);
    assert.equal(lines.length, 2);
    refused('x'.repeat(500));
    assert.deepEqual([lines.length, lines[2]!.delivery, lines[2]!.total], [3, 'x'.repeat(100), 501], 'a new spell logs at once; a long id is cut');
  });

  it('a real server logs a refused delivery at warn with its id, and only counts the next', async () => {
    const { lines, logger } = capture();
    const dir = makeTempDir('slipway-pipelines-');
    writeFileSync(join(dir, 'web.yml'), 'service: web\nrepository: acme/web\n');
    const config = loadConfig({
      PORT: String(await freePort()), REDIS_URL: testEnv().redisUrl, GITHUB_WEBHOOK_SECRET: 'right', SLIPWAY_REGISTRY: '127.0.0.1:5000',
      SLIPWAY_PIPELINES_DIR: dir, SLIPWAY_REDIS_PREFIX: `refusals-${randomUUID()}`,
    });
    const s = (await startSlipway(config, ['server'], logger)) as Running & { url: string };
    try {
      const body = JSON.stringify(pushPayload({ repository: 'acme/web', branch: 'main', sha: 'b'.repeat(40) }));
      const send = (delivery: string, signature?: string) => fetch(`${s.url}/webhooks/github`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': delivery, ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      });
      const [wrong, missing] = [randomUUID(), randomUUID()];
      assert.equal((await send(wrong, signBody('wrong', body))).status, 401);
      assert.equal((await send(missing)).status, 401);
      const warned = lines.filter((l) => /refused/.test(String(l.msg)) && /signature/i.test(String(l.msg)));
      assert.deepEqual(warned.map((l) => [l.level, l.delivery, l.total]), [[40, wrong, 1]]);
    } finally {
      await s.close();
    }
  });
});
