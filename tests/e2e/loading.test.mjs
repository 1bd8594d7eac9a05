// The site loads in two builds (crates/web/src/loader.rs): the landing page (the order flow's view) first,
// and the full app (every other view, the concept pages, the lessons) on demand. These tests watch what
// the browser fetches, and that the hand-over keeps what the user had and leaves one model worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, siteSizes, useSiteAndBrowser, waitForRunStatus } from './support.mjs';

const shared = useSiteAndBrowser();

/**
 * Opens `query` as `openPage` does (recording problems), but also records the scripts and wasm the page
 * (and its worker) fetch, as paths in dist/: the listener is in place before the page loads.
 */
async function openWatching(query) {
  const page = await openPage(shared.browser, 'about:blank');
  page.fetched = [];
  page.on('request', (request) => {
    const path = request.url().slice(shared.site.url.length);
    if (/\.(js|wasm)$/.test(path)) page.fetched.push(path);
  });
  await page.goto(`${shared.site.url}${query}`);
  return page;
}

const ofPage = (fetched) => fetched.filter((path) => !path.startsWith('kplay-worker') && path !== 'record-clip.js');
const sorted = (paths) => [...new Set(paths)].sort();

test('the landing page fetches the first-load build alone; another view loads the full app in its place', async () => {
  const { firstLoad, full } = siteSizes();
  const page = await openWatching('');
  await page.getByTestId('preset-select').selectOption('poison-message');
  await page.getByTestId('step').click();
  await page.getByTestId('step').click();
  await waitForRunStatus(page, /^paused · [1-9]/);
  const moment = (await page.getByTestId('run-status').textContent()).split(' · ')[1];
  assert.deepEqual(sorted(ofPage(page.fetched)), sorted(firstLoad.files), 'the first load is the landing build');

  await page.getByTestId('view-partitions').click();
  await page.getByTestId('partition-count').waitFor();
  assert.match(page.url(), /\?view=partitions&/);
  const later = ofPage(page.fetched).filter((path) => !firstLoad.files.includes(path));
  assert.deepEqual(sorted(later), sorted(full.files.filter((f) => !firstLoad.files.includes(f))),
    'then the full app, once');
  // The landing page's worker stopped when it handed over: one model, the full app's.
  // One round trip to the page, so that the landing page's worker has reported its end.
  await page.waitForFunction(() => true);
  assert.equal(page.workers().length, 1, 'one worker');

  // The order flow is where the user left it: the scenario and the moment came over with the autosave.
  await page.getByTestId('view-sync-vs-event').click();
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'poison-message');
  await waitForRunStatus(page, new RegExp(`· ${moment.replace('.', '\\.')}`));
  await page.getByTestId('view-dashboard').click();
  await page.getByTestId('heatmap-chart').waitFor();
  assert.equal(ofPage(page.fetched).length, new Set(ofPage(page.fetched)).size, 'nothing fetched twice');
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an address only the full app shows loads the full app alone; the order flow embedded stays light', async () => {
  const { firstLoad, full } = siteSizes();
  const cases = [
    ['?page=topic', 'concept-page'],
    ['?lesson=', 'lesson-index'],
    ['?view=replication', 'view-replication'],
    ['?embed=retention', 'open-in-kplay'],
    ['?example=rebalance-storm', 'partition-count'],
    ['?view=nope', 'startup-notice'],
  ];
  for (const [query, shown] of cases) {
    const page = await openWatching(query);
    await page.getByTestId(shown).first().waitFor();
    assert.deepEqual(sorted(ofPage(page.fetched)), sorted(full.files), query);
    assert.deepEqual(page.problems, [], query);
    await page.close();
  }
  const page = await openWatching('?embed=sync-vs-event&controls=play');
  await page.getByTestId('open-in-kplay').waitFor();
  assert.deepEqual(sorted(ofPage(page.fetched)), sorted(firstLoad.files));
  await page.close();
});

test('a full app that cannot be fetched leaves the landing page running, with a message naming the view', async () => {
  const page = await openWatching('');
  await page.getByTestId('preset-select').waitFor();
  await page.route('**/kplay-full_bg.wasm', (route) => route.fulfill({ status: 503, body: 'down for a moment' }));
  await page.getByTestId('view-retention').click();
  await page.getByTestId('load-notice').waitFor();
  assert.match(await page.getByTestId('load-notice').textContent(),
    /^Could not load the Log and retention view \(.*kplay-full_bg\.wasm answered 503\)\. Check the connection/);
  // The landing page still answers.
  await page.getByTestId('preset-select').selectOption('poison-message');
  await page.getByTestId('step').click();
  await waitForRunStatus(page, /^paused · [1-9]/);
  // Once the file is there again, the same tab opens the view. While it loads, the order flow stays in
  // view but takes no input: what was done there would be gone when the full app takes over.
  await page.unroute('**/kplay-full_bg.wasm');
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/kplay-full_bg.wasm', async (route) => { await held; await route.continue(); });
  await page.getByTestId('view-retention').click();
  await page.getByTestId('load-progress').waitFor();
  assert.equal(await page.getByTestId('load-progress').textContent(), 'Loading the Log and retention view\u2026');
  assert.equal(await page.locator('.handover[inert] [data-testid=run-toggle]').count(), 1);
  release();
  await page.getByTestId('retention-ms-input').waitFor();
  assert.equal(await page.getByTestId('load-notice').count(), 0);
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  // The browser reports the one failed download it was made to see, and nothing else went wrong.
  assert.deepEqual(page.problems,
    ['console: Failed to load resource: the server responded with a status of 503 (Service Unavailable)']);
  await page.close();
});
