import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's `chromium` (scripts/setup.sh installs it); SLIPWAY_CHROMIUM names another binary. */
const CHROMIUM = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

/**
 * The flags a closed machine needs: without the background-networking ones Chromium keeps trying
 * to reach Google's hosts, and this machine refuses every connection off loopback.
 */
const ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface TestBrowser {
  /**
   * A new page in its own context (own cookies), every console error and uncaught page error of
   * which is recorded. `phone` gives a 390×844 touch viewport.
   */
  newPage(options?: { phone?: boolean; cookies?: { name: string; value: string; url: string }[] }): Promise<Page>;
  /** Throws, listing them, when any page has logged a console error or thrown an uncaught error so far. */
  assertNoErrors(): void;
  /** Closes Chromium, then fails like `assertNoErrors` (call it in `after`, so a file with a page error fails). */
  close(): Promise<void>;
}

/**
 * A real headless Chromium driven by playwright-core (the browser is Debian's, never a download).
 * Pages fail the test on any `console.error` or uncaught exception: call `assertNoErrors()` at the
 * end of a test, and `close()` in `after`.
 */
export async function startBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`npm run setup\` (it installs Debian's chromium), or set SLIPWAY_CHROMIUM`);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  const assertNoErrors = () => {
    if (errors.length > 0) throw new Error(`the page reported ${errors.length} error(s):\n${errors.join('\n')}`);
  };
  return {
    async newPage(options = {}) {
      // One locale and time zone everywhere, so a page (and its screenshot) reads the same on every machine.
      const screen = options.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 800 } };
      const context = await browser.newContext({ ...screen, locale: 'en-US', timezoneId: 'UTC' });
      contexts.push(context);
      if (options.cookies) await context.addCookies(options.cookies);
      const page = await context.newPage();
      page.on('console', (m) => void (m.type() === 'error' && errors.push(`console.error on ${page.url()}: ${m.text()}`)));
      page.on('pageerror', (e) => void errors.push(`uncaught on ${page.url()}: ${e.message}`));
      return page;
    },
    assertNoErrors,
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      assertNoErrors();
    },
  };
}

/**
 * Saves what the page shows as `docs/screenshots/<name>.png` (the README's pictures are taken by
 * the test run, never by hand) and returns the file's path. `fullPage` takes the whole page.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name "${name}": lower-case letters, digits and dashes only`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  const viewport = page.viewportSize();
  if (options.fullPage && viewport) {
    // Parts drawn with content-visibility:auto (log lines) are painted only near the viewport, and
    // a busy machine may take the picture before they are: show the whole page, let it paint twice.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
    await page.evaluate(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))));
  }
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
  if (options.fullPage && viewport) await page.setViewportSize(viewport);
  return path;
}

/**
 * What axe-core (the accessibility engine) finds against WCAG 2 A and AA on the page as it is now:
 * labels, contrast, names of buttons and links, landmarks. One line per rule broken, naming where.
 * The engine is put in through the DevTools protocol, which the page's CSP does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}

/**
 * Elements that stick out past the right edge of the screen (a phone's 390 px), described by tag,
 * id and class: what makes a page scroll sideways. Mobile emulation widens the layout viewport to
 * fit such content, so `scrollWidth` alone cannot tell.
 */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.screen.width + 1 && getComputedStyle(e).position !== 'absolute')
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.split(' ').join('.')}` : ''}`),
  );
}
