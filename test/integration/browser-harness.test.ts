import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { accessibilityViolations, screenshot, startBrowser, type TestBrowser } from '../support/browser.ts';

const PAGES: Record<string, string> = {
  '/ok': '<!doctype html><link rel="icon" href="data:,"><title>ok</title><p id="out"></p><script>document.getElementById("out").textContent = "ran"</script>',
  '/console-error': '<!doctype html><title>bad</title><script>console.error("something broke")</script>',
  '/unlabelled': '<!doctype html><html lang="en"><link rel="icon" href="data:,"><title>form</title><main><input id="q"><p style="color:#aaa;background:#fff">pale text</p></main></html>',
  '/throws': '<!doctype html><title>bad</title><script>null.boom()</script>',
};

describe('the browser harness (Debian chromium through playwright-core)', () => {
  let server: Server;
  let base: string;
  let browser: TestBrowser;
  before(async () => {
    server = createServer((req, res) => {
      const page = PAGES[req.url ?? ''];
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await startBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('runs a page\'s script and takes a screenshot into docs/screenshots/', async () => {
    const page = await browser.newPage({ phone: true });
    await page.goto(`${base}/ok`);
    assert.equal(await page.locator('#out').textContent(), 'ran');
    const file = await screenshot(page, 'harness-self-test');
    assert.ok(existsSync(file));
    rmSync(file); // not one of the README's pictures
    browser.assertNoErrors();
  });

  it('names what breaks WCAG 2 AA on a page: a field without a label, text without contrast', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/unlabelled`);
    const found = await accessibilityViolations(page);
    assert.ok(found.some((v) => v.startsWith('label:') && v.includes('#q')), found.join('\n'));
    assert.ok(found.some((v) => v.startsWith('color-contrast:')), found.join('\n'));
    browser.assertNoErrors();
  });

  for (const [path, said] of [['/console-error', /console\.error .*something broke/], ['/throws', /uncaught .*null/]] as const) {
    it(`fails on ${path.slice(1)}`, async () => {
      const own = await startBrowser();
      const page = await own.newPage();
      await page.goto(`${base}${path}`);
      await page.waitForFunction(() => document.readyState === 'complete');
      assert.throws(() => own.assertNoErrors(), said);
      await assert.rejects(own.close(), said);
    });
  }
});
