// The delivery-semantics view: one consumer crash mid-batch under each commit strategy. What it shows for
// any incident is what `kplay delivery` prints for it; links and the autosave carry the incident.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();
const STRATEGIES = ['at-most-once', 'at-least-once', 'effectively-once'];

/** What the view shows for each strategy, in `kplay delivery`'s terms. */
async function shown(page) {
  return Promise.all(STRATEGIES.map(async (name) => {
    const offsets = async (what) => {
      const listed = await page.getByTestId(`delivery-${what}-${name}`).getAttribute('data-offsets');
      return listed === '' ? [] : listed.split(',').map(Number);
    };
    return {
      strategy: name,
      committed_at_crash: Number(await page.getByTestId(`delivery-committed-${name}`).textContent()),
      lost: await offsets('lost'),
      duplicated: await offsets('duplicated'),
    };
  }));
}

/** What `kplay delivery` prints for the same incident, the fields the view shows. */
function printed(records, batch, crash) {
  const out = JSON.parse(kplay(['delivery', '--records', `${records}`, '--max-poll-records', `${batch}`,
    '--crash-before', `${crash}`]));
  return out.strategies.map(({ strategy, committed_at_crash, lost, duplicated }) =>
    ({ strategy, committed_at_crash, lost, duplicated }));
}

async function edit(page, id, value) {
  await page.getByTestId(id).fill(`${value}`);
  await page.getByTestId(id).blur();
}

test('each strategy shows what kplay delivery prints, as the incident changes', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-delivery').click();
  await page.getByTestId('delivery-row-at-most-once').waitFor();
  assert.deepEqual(await shown(page), printed(20, 5, 12));
  assert.equal(await page.getByTestId('delivery-lost-at-most-once').textContent(), '12\u201314');
  assert.equal(await page.getByTestId('delivery-command').textContent(),
    'kplay delivery --records 20 --max-poll-records 5 --crash-before 12');

  await edit(page, 'delivery-records', 40);
  await edit(page, 'delivery-max-poll-records', 8);
  await page.getByTestId('delivery-crash').fill('29');
  await page.getByTestId('delivery-crash-label').filter({ hasText: 'crash before offset 29' }).waitFor();
  assert.deepEqual(await shown(page), printed(40, 8, 29));
  assert.equal(await page.getByTestId('delivery-row-at-least-once').locator('.offset-cell.twice').count(), 5,
    'offsets 24-28 were processed before the crash and again after it');

  // A refused edit names the input and changes nothing.
  await edit(page, 'delivery-max-poll-records', 0);
  assert.equal(await page.getByTestId('delivery-message').textContent(),
    'max.poll.records: 0 is not a whole number from 1 to 100.');
  assert.deepEqual(await shown(page), printed(40, 8, 29));

  // The link carries the incident to a fresh page; the autosave keeps it in this one.
  await page.waitForURL(/[?&]d=40\.8\.29\b/);
  const fresh = await openPage(shared.browser, page.url());
  await fresh.getByTestId('delivery-row-at-most-once').waitFor();
  assert.deepEqual(await shown(fresh), printed(40, 8, 29));
  await page.goto(new URL(page.url()).origin + new URL(page.url()).pathname);
  await page.getByTestId('view-delivery').click();
  assert.deepEqual(await shown(page), printed(40, 8, 29));
  assert.deepEqual(page.problems, []);
  assert.deepEqual(fresh.problems, []);
  await Promise.all([page.close(), fresh.close()]);
});
