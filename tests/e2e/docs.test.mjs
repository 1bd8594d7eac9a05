// The docs site: the one static build, made for a sub-path (`trunk build --release --public-url
// /kplay/docs/`, done by scripts/test.sh into target/site-subpath), served by a plain static server under
// that path, serves the playground, every concept page and every embedded widget.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, launchChromium, openPage, serveDist, waitForRunStatus } from './support.mjs';

const PREFIX = '/kplay/docs/';
let site;
let browser;
before(async () => {
  site = await serveDist({ dir: join(ROOT, 'target', 'site-subpath'), prefix: PREFIX });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

// The element that shows each embedded view is up.
const READY = {
  'sync-vs-event': 'headline-event-ms',
  partitions: 'partition-count',
  retention: 'produce-many',
  replication: 'acks-select',
  delivery: 'delivery-row-at-least-once',
  dashboard: 'heatmap-chart',
};

test('the playground runs under the sub-path', async () => {
  const page = await openPage(browser, site.url);
  await page.getByTestId('run-toggle').waitFor();
  await page.getByTestId('step').click();
  await waitForRunStatus(page, /^paused/);
  assert.ok(page.url().startsWith(site.url), page.url());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('every concept page explains its concept and embeds a live widget', async () => {
  const page = await openPage(browser, `${site.url}?page=topic`);
  await page.getByTestId('concept-page').waitFor();
  const ids = await page.locator('[data-testid^=concept-]:not([data-testid=concept-page]):not([data-testid=concept-widget]):not([data-testid=concept-lesson])')
    .evaluateAll((links) => links.map((a) => a.dataset.testid.slice('concept-'.length)));
  assert.equal(ids.length, 14);
  for (const id of ids) {
    // Follow the page's own link, as a reader would.
    await page.getByTestId(`concept-${id}`).click();
    await page.waitForURL((url) => url.search === `?page=${id}`);
    assert.ok(page.url().startsWith(site.url), page.url());
    const text = await page.getByTestId('concept-page').textContent();
    assert.ok(text.length > 400, `${id} explains the concept`);
    const src = await page.getByTestId('concept-widget').getAttribute('src');
    const view = new URLSearchParams(src.slice(1)).get('embed');
    const frame = page.frameLocator('[data-testid=concept-widget]');
    await frame.getByTestId(READY[view]).first().waitFor({ timeout: 30_000 });
    await frame.getByTestId('open-in-kplay').waitFor();
    assert.match(await page.getByTestId('concept-lesson').getAttribute('href'), /^\?lesson=[a-z0-9-]+$/, id);
  }
  // The last page's lesson opens under the sub-path too.
  await page.getByTestId('concept-lesson').click();
  await page.getByTestId('lesson-step').waitFor({ timeout: 30_000 });
  assert.ok(page.url().startsWith(site.url), page.url());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('every view embeds on its own under the sub-path', async () => {
  const [first, ...others] = Object.keys(READY);
  // Each page is loaded (its wasm fetched and running) before the next navigation starts.
  const page = await openPage(browser, `${site.url}?embed=${first}`);
  for (const view of [first, ...others]) {
    if (view !== first) await page.goto(`${site.url}?embed=${view}`);
    await page.getByTestId(READY[view]).first().waitFor();
    assert.equal(await page.getByTestId('view-sync-vs-event').count(), 0, view);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
