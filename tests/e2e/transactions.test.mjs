// Transactions in the partition view: records written inside a transaction wait outlined behind the last
// stable offset, an abort writes a marker that takes an offset and strikes them through, and a
// read_committed group never reads them while a read_uncommitted one does.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

/** The committed offset `group` shows on partition 0, or null before its first commit. */
async function committed(page, group) {
  const mark = page.locator(`[data-testid=partition-0] .mark[title^="${group} committed offset"]`);
  if ((await mark.count()) === 0) return null;
  return Number((await mark.first().getAttribute('title')).match(/(\d+)$/)[1]);
}

async function produce(page, key) {
  await page.getByTestId('key-input').fill(key);
  await page.getByTestId('produce').click();
}

test('an aborted transaction is a marker and struck-through records that read_committed never reads', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  const count = page.getByTestId('partition-count');
  await count.fill('1');
  await count.blur();
  await page.getByTestId('partition-0').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid=partition-1]'));

  // order-readers reads committed records only; billing (added next) reads everything.
  await page.getByTestId('read-committed').check();
  await page.getByTestId('add-consumer').click();
  await page.getByTestId('read-committed').uncheck();
  await page.getByTestId('add-group').click();
  await page.getByTestId('group-billing').waitFor();

  await page.getByTestId('txn-begin').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=txn-commit]').disabled);
  await produce(page, 'pay-1');
  await produce(page, 'pay-2');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=record][data-transaction=open]').length === 2,
    null, { timeout: 20_000 });
  assert.match(await page.getByTestId('lso-0').textContent(), /LSO 0/);
  assert.match(await page.getByTestId('txn-status').textContent(), /checkout-tx · epoch 0 · Ongoing/);
  // billing reads the open records; order-readers waits at the last stable offset.
  await page.waitForFunction(() => document.querySelector('[data-testid=partition-0] .mark[title="billing committed offset 2"]'),
    null, { timeout: 20_000 });
  // Its auto-commit may already have committed the position it waits at (0), never past the open records.
  assert.ok([null, 0].includes(await committed(page, 'order-readers')));

  await page.getByTestId('txn-abort').click();
  await page.locator('[data-testid=record][data-control=abort]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=record][data-transaction=aborted]').count(), 2);
  assert.equal(await page.locator('[data-testid=record][data-control=abort]').getAttribute('data-offset'), '2');
  await page.waitForFunction(() => !document.querySelector('[data-testid=lso-0]'));

  // A committed transaction after it: order-readers reads only its record, skipping both markers (its
  // position, and so what it commits, moves past the COMMIT marker at 4).
  await page.getByTestId('txn-begin').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=txn-commit]').disabled);
  await produce(page, 'pay-3');
  await page.getByTestId('txn-commit').click();
  await page.locator('[data-testid=record][data-control=commit]').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=partition-0] .mark[title="order-readers committed offset 5"]'),
    null, { timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=record][data-key=pay-3]').getAttribute('data-transaction'), 'committed');
  assert.deepEqual(page.problems, []);
  await page.close();
});
