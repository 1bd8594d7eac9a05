// The partition view of the built site, driven like a person would, checked against the kplay CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

/** Opens the site on the partition view. */
async function openPartitions(url) {
  const page = await openPage(shared.browser, url);
  await page.getByTestId('view-partitions').click();
  await page.getByTestId('partition-count').waitFor();
  return page;
}

/** Every record on the page, lane by lane: [{ partition, key (null when keyless), offset }]. */
function recordsOnPage(page) {
  return page.$$eval('li.lane', (lanes) =>
    lanes.flatMap((lane) =>
      [...lane.querySelectorAll('[data-testid=record]')].map((record) => ({
        partition: Number(lane.dataset.partition),
        key: record.hasAttribute('data-key') ? record.getAttribute('data-key') : null,
        offset: Number(record.dataset.offset),
      })),
    ),
  );
}

test('keyed records land where the CLI says Kafka puts them', async () => {
  const page = await openPartitions(shared.site.url);
  const partitions = 7;
  const count = page.getByTestId('partition-count');
  await count.fill(String(partitions));
  await count.blur();
  await page.getByTestId(`partition-${partitions - 1}`).waitFor();
  assert.equal(await page.locator('li.lane').count(), partitions);

  const keys = [
    ...Array.from({ length: 20 }, (_, i) => `order-${i + 1}`),
    'customer-42', 'ключ', '注文-7', '🦀', 'order-1', '', '21',
  ];
  const input = page.getByTestId('key-input');
  for (const [i, key] of keys.entries()) {
    await input.fill(key);
    // Half by Enter, half by the button: both must produce.
    if (i % 2 === 0) await input.press('Enter');
    else await page.getByTestId('produce').click();
    await page.getByTestId('placement').filter({ hasText: `key ${JSON.stringify(key)}` }).waitFor();
  }
  // The last key was "21": Kafka's own test vector says murmur2("21") = -973932308.
  assert.match(await page.getByTestId('placement').textContent(), /murmur2 -973932308 → toPositive 1173551340/);

  const expected = kplay(['partition', '--partitions', String(partitions)], keys.join('\n') + '\n')
    .trim()
    .split('\n')
    .map(Number);
  assert.equal(expected.length, keys.length);

  // Each record reaches its partition once the producer's linger.ms has passed on the view's clock.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=record]').length === n, keys.length);
  const records = await recordsOnPage(page);
  assert.equal(records.length, keys.length);
  for (const [i, key] of keys.entries()) {
    const lanes = new Set(records.filter((r) => r.key === key).map((r) => r.partition));
    assert.deepEqual([...lanes], [expected[i]], `key ${JSON.stringify(key)}`);
  }
  // Offsets in each lane run 0, 1, 2, ... in the order the records were produced.
  for (let p = 0; p < partitions; p++) {
    const inLane = records.filter((r) => r.partition === p);
    assert.deepEqual(inLane.map((r) => r.offset), inLane.map((_, i) => i), `offsets of partition ${p}`);
    const keysInOrder = keys.filter((_, i) => expected[i] === p);
    assert.deepEqual(inLane.map((r) => r.key), keysInOrder, `order of partition ${p}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('records without a key stick to one partition (KIP-794) and say so', async () => {
  const page = await openPartitions(shared.site.url);
  for (let i = 0; i < 8; i++) await page.getByTestId('produce-keyless').click();
  await page.locator('[data-testid=record]').nth(7).waitFor();
  const records = await recordsOnPage(page);
  assert.ok(records.every((r) => r.key === null));
  // Eight small records are far from a full 16 KB batch: the sticky partitioner keeps one partition.
  const partitions = new Set(records.map((r) => r.partition));
  assert.equal(partitions.size, 1, JSON.stringify(records));
  assert.match(await page.getByTestId('placement').textContent(), /no key: sticky partitioner → partition \d/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an impossible partition count is refused with a message', async () => {
  const page = await openPartitions(shared.site.url);
  const count = page.getByTestId('partition-count');
  await count.fill('0');
  await count.blur();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /from 1 to 1024/);
  assert.equal(await page.locator('li.lane').count(), 6);
  assert.deepEqual(page.problems, []);
  await page.close();
});
