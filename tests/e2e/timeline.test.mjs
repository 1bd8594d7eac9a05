// Time travel in the world views: step and scrub back through the timeline, act in the past (a fork),
// undo the fork, and see every moment's numbers again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

/** Waits until the view shows moment `ms` (drawn from the model's reply) and returns the keys on the
 * page, lane by lane. */
async function keysAt(page, ms) {
  const shown = `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)} s of`;
  await page.waitForFunction((v) => document.querySelector('[data-testid=moment]').textContent.startsWith(v), shown);
  return page.$$eval('li.lane', (lanes) =>
    lanes.map((lane) => [...lane.querySelectorAll('[data-testid=record]')].map((r) => r.dataset.key ?? null)));
}

const flat = (lanes) => lanes.flat().sort();

test('the partition view steps back, forks when acting in the past, and undoes the fork', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  await page.getByTestId('partition-count').waitFor();
  await page.getByTestId('timeline-play').click();
  await page.getByTestId('timeline').fill('0');
  assert.deepEqual(flat(await keysAt(page, 0)), []);
  await page.getByTestId('step').click();
  await keysAt(page, 1000);
  await page.getByTestId('step').click();
  await keysAt(page, 2000);

  const input = page.getByTestId('key-input');
  for (const key of ['a', 'b', 'c']) {
    await input.fill(key);
    await input.press('Enter');
    await page.getByTestId('moment').filter({ hasText: /· [1-9]\d* action/ }).waitFor();
  }
  await page.waitForFunction(() => / 3 action/.test(document.querySelector('[data-testid=moment]').textContent));
  await page.getByTestId('step').click();
  const later = await keysAt(page, 3000);
  assert.deepEqual(flat(later), ['a', 'b', 'c']);

  // Back to 1 s: nothing was produced yet. Forward again: the same records, from the same log.
  await page.getByTestId('step-back').click();
  await page.getByTestId('step-back').click();
  assert.deepEqual(flat(await keysAt(page, 1000)), []);
  await page.getByTestId('timeline').fill('3000');
  assert.deepEqual(await keysAt(page, 3000), later);

  // Acting at 1 s forks: the three later records are set aside.
  await page.getByTestId('timeline').fill('1000');
  await keysAt(page, 1000);
  await input.fill('d');
  await input.press('Enter');
  await page.getByTestId('fork-notice').waitFor();
  assert.match(await page.getByTestId('fork-notice').textContent(), /the 3 later action\(s\) were set aside/);
  await page.getByTestId('step').click();
  assert.deepEqual(flat(await keysAt(page, 2000)), ['d']);

  // Undo: the fork's record is gone and the original ones are back.
  await page.getByTestId('undo-fork').click();
  await page.getByTestId('fork-notice').waitFor({ state: 'detached' });
  await page.getByTestId('timeline').fill('3000');
  assert.deepEqual(await keysAt(page, 3000), later);

  // The address carries the world and the moment: a fresh page opens the same view at 3 s, number for
  // number, and `kplay world` on the script in it prints the same offsets.
  await page.waitForFunction(() => new URL(location.href).searchParams.get('at') === '3000');
  const link = page.url();
  const fresh = await openPage(shared.browser, link);
  await fresh.getByTestId('partition-count').waitFor();
  assert.deepEqual(await keysAt(fresh, 3000), later);
  const ends = await fresh.$$eval('li.lane .lane-label small', (labels) => labels.map((l) => Number(/end (\d+)/.exec(l.textContent)[1])));
  const packed = new URL(link).searchParams.get('w');
  assert.ok(packed.startsWith('1.'));
  const script = inflateRawSync(Buffer.from(packed.slice(2), 'base64url')).toString('utf8');
  const state = JSON.parse(kplay(['world', '-', '--at-ms', '3000'], script));
  assert.deepEqual(state.topics.orders.partitions.map((p) => p.log_end_offset), ends);
  // "Export script" saves the same script.
  const [file] = await Promise.all([fresh.waitForEvent('download'), fresh.getByTestId('export-world').click()]);
  assert.equal(file.suggestedFilename(), 'kplay-world.json');
  assert.deepEqual(JSON.parse(readFileSync(await file.path(), 'utf8')), JSON.parse(script));
  assert.deepEqual(fresh.problems, []);
  assert.deepEqual(page.problems, []);
  await fresh.close();
  await page.close();
});
