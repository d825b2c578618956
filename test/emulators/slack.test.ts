import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSlackEmulator, type SlackEmulator } from './slack.ts';

describe('Slack incoming-webhook emulator', () => {
  let slack: SlackEmulator;
  const send = (body: unknown, url = slack.url, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const expectText = async (res: Response, status: number, text: string) => {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), text);
  };
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  before(async () => { slack = await startSlackEmulator(); });
  after(() => slack.close());

  it('200 ok and records text, blocks and body', async () => {
    const body = { text: 'Deployed acme/web', blocks: [section(':white_check_mark: Deployed'), { type: 'context', elements: [{ type: 'mrkdwn', text: 'by ada' }] }], unfurl_links: false };
    await expectText(await send(body), 200, 'ok');
    await expectText(await send({ text: 'plain' }, slack.url, 'application/json; charset=utf-8'), 200, 'ok');
    await slack.waitFor((m) => m.length === 2);
    assert.equal(slack.messages[0]!.text, 'Deployed acme/web');
    assert.deepEqual(slack.messages[0]!.blocks, body.blocks);
    assert.deepEqual(slack.messages[0]!.body, body);
    assert.equal(slack.messages[1]!.blocks, undefined);
  });

  it('accepts blocks-only and attachments-only messages', async () => {
    await expectText(await send({ blocks: [section('hi')] }), 200, 'ok');
    await expectText(await send({ attachments: [{ text: 'legacy' }] }), 200, 'ok');
  });

  it('404 no_service for another secret or path', async () => {
    await expectText(await send({ text: 'x' }, slack.url.replace(/[^/]+$/, 'wrongsecret')), 404, 'no_service');
    await expectText(await send({ text: 'x' }, new URL('/', slack.url).href), 404, 'no_service');
  });

  it('400 invalid_payload for non-JSON bodies and wrong content types', async () => {
    await expectText(await send('{"text": "x"', slack.url), 400, 'invalid_payload');
    await expectText(await send('[1]', slack.url), 400, 'invalid_payload');
    await expectText(await send({ text: 'x' }, slack.url, 'text/plain'), 400, 'invalid_payload');
    await expectText(await send('payload=%7B%22text%22%3A%22x%22%7D', slack.url, 'application/x-www-form-urlencoded'), 400, 'invalid_payload');
  });

  it('400 no_text without text and without usable blocks', async () => {
    for (const body of [{}, { text: '' }, { text: '   ' }, { blocks: [] }, { text: 42 }]) {
      await expectText(await send(body), 400, 'no_text');
    }
  });

  it('400 invalid_blocks: > 50 blocks, unknown/missing type, section text > 3000', async () => {
    await expectText(await send({ text: 'x', blocks: Array.from({ length: 50 }, () => ({ type: 'divider' })) }), 200, 'ok');
    await expectText(await send({ text: 'x', blocks: [section('a'.repeat(3000))] }), 200, 'ok');
    for (const blocks of [
      Array.from({ length: 51 }, () => ({ type: 'divider' })), [{ type: 'banner' }], [{ text: 'no type' }], ['divider'],
      [section('a'.repeat(3001))], [{ type: 'section' }], 'not-an-array',
    ]) {
      await expectText(await send({ text: 'x', blocks }), 400, 'invalid_blocks');
    }
    assert.ok(slack.rejected.some((r) => r.status === 400 && r.body === 'invalid_blocks'));
  });

  it('rateLimit: next post 429 with Retry-After, then ok', async () => {
    slack.rateLimit(7);
    const res = await send({ text: 'x' });
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(res.status, 429);
    await expectText(await send({ text: 'y' }), 200, 'ok');
  });

  it('archive: 410 channel_is_archived from then on', async () => {
    const s = await startSlackEmulator();
    try {
      await expectText(await send({ text: 'a' }, s.url), 200, 'ok');
      s.archive();
      await expectText(await send({ text: 'b' }, s.url), 410, 'channel_is_archived');
      await expectText(await send({ text: 'c' }, s.url), 410, 'channel_is_archived');
      assert.equal(s.messages.length, 1);
    } finally { await s.close(); }
  });

  it('token bucket: a burst passes, sustained posting gets 429 Retry-After: 1, recovers after ~1 s', async () => {
    const s = await startSlackEmulator({ burst: 3 });
    try {
      for (let i = 0; i < 3; i++) await expectText(await send({ text: `m${i}` }, s.url), 200, 'ok');
      const res = await send({ text: 'too fast' }, s.url);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
      await new Promise((r) => setTimeout(r, 1100));
      await expectText(await send({ text: 'later' }, s.url), 200, 'ok');
      assert.deepEqual(s.messages.map((m) => m.text), ['m0', 'm1', 'm2', 'later']);
    } finally { await s.close(); }
  });

  it('default burst is large enough for a normal test; waitFor reports what it saw on timeout', async () => {
    const s = await startSlackEmulator();
    try {
      const results = await Promise.all(Array.from({ length: 15 }, (_, i) => send({ text: `n${i}` }, s.url)));
      assert.ok(results.every((r) => r.status === 200));
      await assert.rejects(s.waitFor((m) => m.length > 99, 50), /waitFor timed out.*"n0"/);
    } finally { await s.close(); }
  });
});
