import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Build } from '../../src/core/build.ts';
import { accessibilityViolations, overflowingElements, screenshot, startBrowser, type TestBrowser } from '../support/browser.ts';
import { startDashboardServer, type DashboardServer } from '../support/dashboard-server.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

after(removeTempDirs);

const ESC = '\u001b';
const LONG = `${'a-very-long-word-without-spaces-'.repeat(12)}end`;

describe('the Build page (/builds/:id) in headless Chromium', () => {
  let s: DashboardServer;
  let browser: TestBrowser;
  before(async () => {
    [s, browser] = await Promise.all([startDashboardServer(), startBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A build the test runs as a worker would: state running, clone passed, build running. */
  async function runningBuild(message = 'Add the health endpoint'): Promise<Build> {
    const b = await s.seed.build('web', { branch: 'main', state: 'running', message, author: 'grace' });
    return s.store.update(b.id, (r) => {
      r.stages[0] = { name: 'clone', state: 'passed', startedAt: Date.now() - 40_000, finishedAt: Date.now() - 38_000 };
      r.stages[1] = { name: 'build', state: 'running', startedAt: Date.now() - 38_000 };
    });
  }

  async function writeLog(id: string, lines: string[]) {
    const log = s.store.log(id);
    for (const l of lines) log.line(l);
    await log.flush();
  }

  const lineCount = (page: Page) => page.locator('#log .line').count();

  it('streams the log while the build runs: numbered lines, colours, long lines wrapped, stages with durations', async () => {
    const b = await runningBuild();
    await writeLog(b.id, ['Step 1/3 : FROM local/busybox', `${ESC}[31mred error${ESC}[0m and ${ESC}[1;32mbold green${ESC}[0m`]);
    const page = await s.signedInPage(browser, `/builds/${b.id}`);
    await page.locator('#L2').waitFor();
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
    await writeLog(b.id, ['Step 2/3 : RUN make', LONG, '<img src=x onerror="window.__injected = 1">']);
    await page.locator('#L5').waitFor();
    assert.equal(await lineCount(page), 5);
    assert.equal(await page.locator('#L2 .text').textContent(), 'red error and bold green');
    assert.equal(await page.locator('#L2 .fg-1').textContent(), 'red error');
    assert.equal(await page.locator('#L2 .fg-2.ansi-bold').textContent(), 'bold green');
    assert.equal(await page.locator('#L5 .text').textContent(), '<img src=x onerror="window.__injected = 1">');
    assert.equal(await page.locator('#L3 a.ln').getAttribute('href'), '#L3');
    const wrapped = await page.locator('#L4').evaluate((e) => ({ height: e.getBoundingClientRect().height, right: e.getBoundingClientRect().right, width: document.documentElement.clientWidth }));
    assert.ok(wrapped.height > 30 && wrapped.right <= wrapped.width, `a long line wraps inside the page (${JSON.stringify(wrapped)})`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrollbar');
    const scrollers = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => /(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight).length);
    assert.equal(scrollers, 0, 'the page is the one scroll container');
    assert.deepEqual(await page.locator('#stages .name').allTextContents(), ['clone', 'build', 'test', 'push']);
    assert.deepEqual(await page.locator('#stages .state').allTextContents(), ['passed', 'running', 'waiting', 'waiting']);
    assert.equal(await page.locator('#stages li').first().locator('.muted').textContent(), '2 s');

    await s.store.update(b.id, (r) => {
      r.stages[1] = { ...r.stages[1]!, state: 'passed', finishedAt: Date.now() };
      r.stages[2] = { name: 'test', state: 'failed', startedAt: Date.now() - 1000, finishedAt: Date.now(), detail: 'exit code 1' };
      Object.assign(r, { state: 'failed', finishedAt: Date.now(), detail: 'Tests failed (exit code 1)' });
    });
    await writeLog(b.id, ['FAIL: expected 200, got 500']);
    await page.locator('#log-state', { hasText: 'complete' }).waitFor();
    assert.equal(await page.locator('#L6 .text').textContent(), 'FAIL: expected 200, got 500');
    assert.deepEqual(await page.locator('#stages .state').allTextContents(), ['passed', 'passed', 'failed', 'not run']);
    assert.equal(await page.locator('#image').textContent(), 'Image: not pushed');
    assert.equal(await page.locator('#state .state').textContent(), 'failed');
    assert.equal(await page.evaluate(() => (window as { __sameDocument?: boolean; __injected?: number }).__sameDocument && !(window as { __injected?: number }).__injected), true);
    browser.assertNoErrors();
  });

  it('links to a line, and finds lines by search', async () => {
    const b = await s.seed.build('web', { state: 'passed', message: 'Searchable' });
    await writeLog(b.id, Array.from({ length: 120 }, (_, i) => (i % 40 === 7 ? `warning: thing ${i}` : `ordinary line ${i}`)));
    const page = await s.signedInPage(browser, `/builds/${b.id}#L100`);
    await page.locator('#L100.current').waitFor();
    assert.equal(await page.locator('button.earlier').isVisible(), false, 'a short log is drawn whole, with no "earlier lines" button');
    assert.ok(await page.locator('#L100').evaluate((e) => e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().bottom <= window.innerHeight), 'the linked line is in view');
    await page.getByLabel('Search the log').fill('WARNING');
    await page.locator('#hits', { hasText: '3 matching lines' }).waitFor();
    await page.getByLabel('Search the log').press('Enter');
    await page.locator('#L8.current').waitFor();
    assert.equal(await page.locator('#hits').textContent(), '1 of 3 matching lines');
    await page.getByRole('button', { name: 'Next matching line' }).click();
    await page.locator('#L48.current').waitFor();
    browser.assertNoErrors();
  });

  it('draws only the last 2,000 lines of a long log at first; earlier ones on demand, by a #L link, or by search', async () => {
    const b = await s.seed.build('web', { state: 'passed', message: 'A long log' });
    await writeLog(b.id, Array.from({ length: 10_000 }, (_, i) => (i === 2 || i === 8999 ? `needle ${i + 1}` : `${ESC}[32mstep${ESC}[0m ${i + 1}`)));
    const page = await s.signedInPage(browser, `/builds/${b.id}`);
    await page.locator('#log-state', { hasText: 'complete' }).waitFor();
    await page.locator('#L10000').waitFor();
    assert.ok((await lineCount(page)) <= 2000 + 2, `at most 2,000 rows at first (${await lineCount(page)})`);
    assert.equal(await page.locator('#L8000').count(), 0);
    await page.getByRole('button', { name: 'Show 2,000 earlier lines' }).click();
    await page.locator('#L6001').waitFor();
    assert.equal(await lineCount(page), 4000);
    assert.equal(await page.locator('#L6000').count(), 0);
    await page.getByLabel('Search the log').fill('NEEDLE');
    await page.locator('#hits', { hasText: '2 matching lines' }).waitFor(); // line 3 is not drawn, and still found
    await page.getByLabel('Search the log').press('Enter');
    await page.locator('#L3.current').waitFor();
    assert.equal(await page.locator('#L3 .text').textContent(), 'needle 3');
    assert.ok(await page.locator('#L3').evaluate((e) => e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().bottom <= window.innerHeight), 'the hit is in view');
    const linked = await s.signedInPage(browser, `/builds/${b.id}#L5`);
    await linked.locator('#L5.current').waitFor();
    assert.equal(await linked.locator('#L5 .text').textContent(), 'step 5');
    assert.ok(await linked.locator('#L5').evaluate((e) => e.getBoundingClientRect().top >= 0 && e.getBoundingClientRect().bottom <= window.innerHeight), 'the linked line is in view');
    assert.equal(await linked.getByRole('button', { name: /earlier line/ }).isVisible(), true, 'lines 1 to 4 are still behind the button');
    browser.assertNoErrors();
  });

  it('cancels a queued build after asking, and shows the answer without reloading', async () => {
    const b = await s.seed.build('web', { state: 'queued', message: 'Waits in the queue' });
    const page = await s.signedInPage(browser, `/builds/${b.id}`);
    await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
    await page.getByRole('button', { name: 'Cancel' }).focus(); // by keyboard: Enter opens the question, Escape takes it back
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match((await dialog.textContent())!, new RegExp(`This stops build #${b.id} of web \\(main at ${b.event.sha.slice(0, 7)}\\)`));
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep it as it is', 'the safe answer has the focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'cancel', 'closing the question gives the focus back to the button that asked it');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Keep it as it is' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'cancel', 'saying no gives the focus back to the button');
    assert.equal((await s.store.get(b.id))!.state, 'queued', 'saying no changes nothing');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel the build' }).click();
    await page.locator('#result', { hasText: `Build #${b.id} is cancelled.` }).waitFor();
    await page.locator('#state .state.cancelled').waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('#result') !== null); // the Cancel button is gone (the build is over): the focus goes to the answer
    assert.equal((await s.store.get(b.id))!.state, 'cancelled');
    assert.equal(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument), true);
    browser.assertNoErrors();
  });

  it('reruns a finished build after asking, linking the new build; deploys show their outcome and the scheduler\'s reason', async () => {
    const b = await s.seed.build('web', { state: 'passed', message: 'Ship it' });
    const { deploy } = await s.store.addDeploy(b.id, { environment: 'production', scheduler: 'docker' });
    await s.store.setDeploy(b.id, { ...deploy, state: 'rolled_back', detail: 'health check /health answered 500 for 120 s; the previous release is back', startedAt: Date.now() - 9000, finishedAt: Date.now() });
    const t0 = Date.now() - 60_000;
    const took = [3, 21, 6, 4];
    await s.store.update(b.id, (r) => {
      let at = t0;
      r.stages = r.stages.map((st, i) => ({ ...st, state: 'passed', startedAt: at, finishedAt: (at += took[i]! * 1000) }));
      Object.assign(r, { createdAt: Date.UTC(2026, 11, 7, 9, 41, 0), startedAt: t0, finishedAt: at }); // a fixed "Created": the screenshot is the same every run
    });
    await writeLog(b.id, [
      `${ESC}[1mclone${ESC}[0m acme/web at ${b.event.sha.slice(0, 7)}`,
      'Step 1/4 : FROM local/busybox',
      'Step 2/4 : COPY . /app',
      'Step 3/4 : RUN sh /app/build.sh',
      `${ESC}[33mwarning:${ESC}[0m the cache for /app/vendor is cold; this build takes longer`,
      'Successfully built 1234abcd',
      `${ESC}[1mtest${ESC}[0m sh /check.sh`,
      `${ESC}[32mok${ESC}[0m   GET /health answers 200`,
      `${ESC}[32mok${ESC}[0m   GET / renders the home page`,
      `${ESC}[1mpush${ESC}[0m 127.0.0.1:5000/web:git-${b.event.sha.slice(0, 7)}`,
      `${ESC}[1mdeploy${ESC}[0m production on docker`,
      `${ESC}[31mhealth check /health answered 500${ESC}[0m; rolling back to the previous release`,
    ]);
    const page = await s.signedInPage(browser, `/builds/${b.id}`);
    const row = page.locator(`#deploy-${deploy.id}`);
    await row.waitFor();
    assert.deepEqual(await row.locator('td').allTextContents(), [`#${deploy.id}`, 'production (docker)', 'push', 'rolled back', 'health check /health answered 500 for 120 s; the previous release is back', '9 s']);
    assert.deepEqual(await page.locator('#stages li .muted').allTextContents(), ['3 s', '21 s', '6 s', '4 s']);
    assert.match((await page.locator('#image').textContent())!, /^Image: 127\.0\.0\.1:5000\/web:git-[0-9a-f]{7}@sha256:/);
    await page.locator('#L12').waitFor(); // the whole log is on the page before the picture is taken
    await screenshot(page, 'build', { fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
    const phone = await s.signedInPage(browser, `/builds/${b.id}`, { phone: true });
    await phone.locator('#L12').waitFor();
    assert.deepEqual(await overflowingElements(phone), [], 'no sideways scrolling on a phone');
    await screenshot(phone, 'build-phone');
    await page.getByRole('button', { name: 'Rerun' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rerun it' }).click();
    const link = page.locator('#result a');
    await link.waitFor();
    const fresh = (await link.textContent())!.slice(1);
    assert.equal((await s.store.get(fresh))!.rerunOf, b.id);
    assert.equal(await link.getAttribute('href'), `/builds/${fresh}`);
    browser.assertNoErrors();
  });

  it('shows no buttons to people who are not signed in with actions (API token only is not a browser)', async () => {
    const b = await s.seed.build('web', { state: 'passed' });
    const page = await browser.newPage();
    await page.goto(`${s.url}/builds/${b.id}`);
    await page.locator('#signin').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rerun' }).count(), 0);
    browser.assertNoErrors();
  });
});
