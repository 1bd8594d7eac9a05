// The page stays responsive under the heaviest order flow its controls allow: Black Friday at 1,000,000
// orders/s (the rate's maximum) over 1,024 partitions (the maximum), run to the end and played at 1000×.
// The model runs in its worker; the page must answer input within 100 ms the whole time, "Run to end" must
// show progress and pause when asked, and the run must stop at the browser's budget and say so (here what a
// run may hold at once: the backlog grows by millions of records a second).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, useSiteAndBrowser, waitForRunStatus } from './support.mjs';

const shared = useSiteAndBrowser();

/** The longest the page may take to answer input, or to run a timer that is due. */
const ANSWER_MS = 100;

/**
 * Installs the heartbeat in the page: a timer due every 10 ms notes the longest gap between its runs, and
 * a key listener notes the longest wait between a key press reaching the page and the page handling it.
 */
function installHeartbeat() {
  const beat = { gapMs: 0, inputMs: 0, inputs: 0, last: performance.now() };
  window.kplayHeartbeat = beat;
  const tick = () => {
    const now = performance.now();
    beat.gapMs = Math.max(beat.gapMs, now - beat.last);
    beat.last = now;
    setTimeout(tick, 10);
  };
  setTimeout(tick, 10);
  document.addEventListener('keydown', (event) => {
    beat.inputMs = Math.max(beat.inputMs, performance.now() - event.timeStamp);
    beat.inputs += 1;
  }, true);
}

/** Presses a key every 100 ms (real input through the browser) until `done()` resolves true. */
async function typeUntil(page, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `still waiting after ${timeoutMs} ms`);
    await page.keyboard.press('Shift');
    await page.waitForTimeout(100);
  }
}

const progress = (page) => page.locator('.progress progress').evaluate((bar) => bar.value);

test('the heaviest valid run at top speed: the page answers input within 100 ms, and the run stops at its budget and says so', async (t) => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('black-friday');
  await page.getByTestId('preset-watch').waitFor();
  for (const [id, value] of [['rate-input', '1000000'], ['partitions-input', '1024']]) {
    await page.getByTestId(id).fill(value);
    await page.getByTestId(id).blur();
  }
  await waitForRunStatus(page, /^ready/);
  await page.evaluate(installHeartbeat);

  // "Run to end" shows progress, and pausing stops it.
  await page.getByTestId('finish').click();
  const before = await progress(page);
  await typeUntil(page, async () => (await progress(page)) > before, 30_000);
  await page.getByTestId('run-toggle').click();
  await waitForRunStatus(page, /^paused/);
  // The slice the worker was running when the click came (about 50 ms of work) still lands.
  await page.waitForTimeout(300);
  const paused = await progress(page);
  await page.waitForTimeout(500);
  assert.equal(await progress(page), paused, 'the run went on after pausing');

  // Played on at 1000× with the diagrams drawing, the backlog outgrows what the browser lets a run hold:
  // the run stops there, and the page says where and why.
  await page.getByTestId('speed').selectOption('1000');
  await page.getByTestId('run-toggle').click();
  const notice = page.getByTestId('budget-notice');
  await typeUntil(page, () => notice.isVisible(), 120_000);
  assert.match(await notice.textContent(), new RegExp(
    'stopped holding [\\d,]+ records, calls and events at once \\(more than 5,000,000\\) at [\\d.]+ s of simulated time '
    + '\\(the scenario sends orders for 60 s\\).*every run stops at 50,000,000 events, or when it holds more than 5,000,000'));
  assert.equal(await page.getByTestId('error-banner').count(), 0);

  const beat = await page.evaluate(() => window.kplayHeartbeat);
  t.diagnostic(`${beat.inputs} key presses; the longest waited ${beat.inputMs.toFixed(0)} ms; `
    + `the longest gap of a 10 ms timer was ${beat.gapMs.toFixed(0)} ms; ${await notice.textContent()}`);
  assert.ok(beat.inputs >= 10, `only ${beat.inputs} key presses reached the page`);
  assert.ok(beat.inputMs < ANSWER_MS, `a key press waited ${beat.inputMs.toFixed(0)} ms for the page`);
  assert.ok(beat.gapMs < ANSWER_MS, `a 10 ms timer waited ${beat.gapMs.toFixed(0)} ms`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
