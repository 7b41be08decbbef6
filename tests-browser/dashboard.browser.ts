/**
 * Browser test of the web dashboard (`npm run test:browser`): starts the demo's web mode with a
 * short drill, loads the page in headless Chromium and checks that the charts, the timeline and
 * the connection table follow the drill; saves a screenshot to .tmp/dashboard.png (ignored by git), or
 * to the path after `--screenshot` (`npm run docs:screenshot` refreshes the README's picture). Prints one
 * line `N passed, N failed` at the end and exits non-zero on any failure.
 *
 * Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebDemo, type WebDemo } from '../scripts/demo/demo.js';

const CHROMIUM = '/usr/bin/chromium';

// The few DOM shapes the in-page callbacks use: the project compiles without the DOM lib.
interface PageElement {
  textContent: string | null;
  width: number;
  height: number;
  getAttribute(name: string): string | null;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
};
const screenshotFlag = process.argv.indexOf('--screenshot');
const SCREENSHOT = screenshotFlag === -1 ? new URL('../.tmp/dashboard.png', import.meta.url) : pathToFileURL(path.resolve(process.argv[screenshotFlag + 1] ?? ''));

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail === '' ? '' : ` — ${detail}`}`);
}
async function step(name: string, run: () => Promise<string | void>): Promise<void> {
  try {
    const detail = await run();
    check(name, true, detail ?? '');
  } catch (error) {
    check(name, false, error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
}

/** A fingerprint of a canvas's pixels, computed in the page. */
function canvasHash(page: Page, id: string): Promise<string> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const context = canvas?.getContext('2d');
    if (canvas === null || context === null || context === undefined) return 'missing';
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let hash = 2166136261;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      const alpha = data[i + 3] ?? 0;
      if (alpha !== 0) painted++;
      hash = Math.imul(hash ^ ((data[i] ?? 0) + (data[i + 1] ?? 0) * 3 + (data[i + 2] ?? 0) * 7 + alpha * 11), 16777619);
    }
    return `${canvas.width}x${canvas.height}:${painted}:${hash >>> 0}`;
  }, id);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    check('chromium installed', false, `${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\``);
    return;
  }
  // Anything hanging ends the test instead of the CI job.
  const watchdog = setTimeout(() => {
    console.log('FAIL watchdog — the browser test took longer than 150 s');
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, 150_000);
  watchdog.unref();

  let demo: WebDemo | null = null;
  let browser: Browser | null = null;
  try {
    demo = await startWebDemo({ callers: 20, timeS: 3, durationS: 16, pool: 4 });
    const { url } = demo;
    check('demo serves on 127.0.0.1', url.startsWith('http://127.0.0.1:'), url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1480, height: 940 }, deviceScaleFactor: 1 });
    const pageErrors: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(url)) foreign.push(request.url());
    });
    await page.goto(url);

    await step('page title', async () => {
      const title = await page.title();
      if (!title.includes('hitless')) throw new Error(`title is ${title}`);
    });
    // The simulator starts behind the server: poll until the run is attached.
    let endpoints: string[] = [];
    for (let attempt = 0; attempt < 100 && endpoints.length === 0; attempt++) {
      const state = (await (await fetch(`${url}state.json`)).json()) as { snapshot: { meta: { endpoints: string[] } } | null };
      endpoints = state.snapshot?.meta.endpoints ?? [];
      if (endpoints.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check('two simulator endpoints', endpoints.length === 2, endpoints.join(', '));

    await step('throughput tile counts commands', async () => {
      await page.waitForFunction(() => Number((document.getElementById('t-ops')?.textContent ?? '0').replace(/,/g, '')) > 0, null, { timeout: 10_000 });
      return `${await page.textContent('#t-ops')} ops/s`;
    });
    for (const id of ['chart-ops', 'chart-lat']) {
      await step(`${id} is drawn and updates`, async () => {
        const first = await canvasHash(page, id);
        await page.waitForTimeout(1200);
        const second = await canvasHash(page, id);
        if (Number(first.split(':')[1]) === 0) throw new Error('canvas is blank');
        if (first === second) throw new Error('canvas did not change between two samples');
      });
    }
    for (const tag of ['MIGRATING', 'FAILING_OVER', 'MOVING', 'handoff']) {
      await step(`timeline shows ${tag}`, async () => {
        await page.waitForSelector(`#timeline li[data-tag="${tag}"]`, { state: 'attached', timeout: 30_000 });
      });
    }
    await step('connections move to the new endpoint after bind', async () => {
      const target = endpoints[1] ?? '?';
      await page.waitForFunction(
        ([to, from]) => {
          const moved = document.querySelectorAll(`#connections section[data-endpoint="${to}"] tr.conn`).length;
          const left = document.querySelectorAll(`#connections section[data-endpoint="${from}"] tr.conn`).length;
          return moved >= 4 && left === 0;
        },
        [target, endpoints[0] ?? '?'] as const,
        { timeout: 30_000 },
      );
      return `4 connections on ${target}`;
    });

    const result = await demo.finished;
    check('drill ran without failed commands', result.ok, result.runs.map((r) => `${r.client}: ${r.ok + r.failed} commands, ${r.failed} failed`).join('; '));
    await step('report shown on the page', async () => {
      await page.waitForSelector('#summary:not([hidden]) tr[data-phase="bind"]', { timeout: 10_000 });
      const verdict = await page.textContent('#summary .verdict');
      if (verdict?.includes('0 failed') !== true) throw new Error(`verdict: ${verdict ?? 'none'}`);
    });
    await step('phase bands drawn for every action', async () => {
      const phases = await page.evaluate(() => Array.from(document.querySelectorAll('#summary tr[data-phase]')).map((row) => row.getAttribute('data-phase')));
      if (phases.join() !== 'steady,migrate,failover,bind') throw new Error(phases.join());
    });
    await page.waitForTimeout(300);
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
    check('screenshot saved', existsSync(SCREENSHOT), SCREENSHOT.pathname);
    check('no page errors', pageErrors.length === 0, pageErrors.join('; '));
    check('no requests outside the demo server', foreign.length === 0, foreign.join(', '));
    check('no cluster panel on a standalone run', await page.evaluate(() => document.getElementById('nodes-card')?.getAttribute('hidden') !== null));
    await demo.stop();
    demo = null;

    // The cluster demo: the nodes panel shows each primary's slots, and they change at the reshard.
    demo = await startWebDemo({ cluster: true, callers: 10, timeS: 2, durationS: 8, pool: 1 });
    await page.goto(demo.url);
    let before: string[] = [];
    await step('cluster panel lists three primaries with their slots', async () => {
      await page.waitForFunction(() => document.querySelectorAll('#nodes tr.node').length >= 3, null, { timeout: 20_000 });
      before = await page.evaluate(() => Array.from(document.querySelectorAll('#nodes tr.node')).map((row) => `${row.getAttribute('data-node')}=${row.getAttribute('data-slots')}`));
      const total = before.reduce((sum, row) => sum + Number(row.split('=')[1]), 0);
      if (total !== 16384) throw new Error(`slots add up to ${total}: ${before.join(', ')}`);
      return before.join(', ');
    });
    await step('the slot counts change when the drill reshards', async () => {
      await page.waitForFunction(
        (initial) => Array.from(document.querySelectorAll('#nodes tr.node')).map((row) => `${row.getAttribute('data-node')}=${row.getAttribute('data-slots')}`).join() !== initial,
        before.join(),
        { timeout: 30_000 },
      );
    });
    const clusterRun = await demo.finished;
    check('cluster drill ran without failed commands', clusterRun.ok, clusterRun.runs.map((r) => `${r.client}: ${r.ok + r.failed} commands, ${r.failed} failed`).join('; '));
    check('no page errors on the cluster run', pageErrors.length === 0, pageErrors.join('; '));
  } catch (error) {
    check('browser test ran to the end', false, error instanceof Error ? error.message.split('\n')[0] : String(error));
  } finally {
    await browser?.close().catch(() => undefined);
    await demo?.stop();
    clearTimeout(watchdog);
  }
}

await main();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
