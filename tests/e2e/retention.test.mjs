// The log-and-retention view: retention deletes whole segments, compaction keeps the latest per key.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

async function openRetention() {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-retention').click();
  await page.getByTestId('log-offsets').waitFor();
  return page;
}

test('retention.ms deletes whole expired segments, the active one rolled first', async () => {
  const page = await openRetention();
  await page.getByTestId('produce-many').click();
  assert.match(await page.getByTestId('log-offsets').textContent(), /^log start offset 0 · log end offset 10 · 10 record\(s\) in 2 segment\(s\)/);
  for (let i = 0; i < 3; i++) await page.getByTestId('advance-clock').click();
  await page.getByTestId('run-retention').click();
  assert.match(await page.getByTestId('retention-message').textContent(), /^Retention deleted segment\(s\) \[0, 5\]/);
  assert.match(await page.getByTestId('log-offsets').textContent(), /^log start offset 10 · log end offset 10 · 0 record\(s\)/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('compaction keeps the latest record per key; keyless records are refused', async () => {
  const page = await openRetention();
  await page.getByTestId('policy-select').selectOption('compact');
  for (let i = 0; i < 2; i++) await page.getByTestId('produce-many').click();
  await page.getByTestId('retention-key').fill('k1');
  await page.getByTestId('produce-tombstone').click();
  await page.getByTestId('run-cleaner').click();
  assert.match(await page.getByTestId('retention-message').textContent(), /^Cleaner compacted offsets 0\.\.20: 15 superseded record\(s\)/); // four copies of k0–k4: three of each superseded
  await page.getByTestId('produce-no-key').click();
  assert.match(await page.getByTestId('retention-message').textContent(), /without a key/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
