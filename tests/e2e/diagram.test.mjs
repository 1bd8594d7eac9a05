// The partition diagram: several consumer groups each reading every partition, an offset reset replayed,
// a crashed consumer's ghost, motion that stops when paused, and the same states with reduced motion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();
const PARTITIONS = 6;

async function openPartitions(url) {
  const page = await openPage(shared.browser, url);
  await page.getByTestId('view-partitions').click();
  await page.getByTestId('partition-diagram').waitFor();
  return page;
}

/** Each lane's log end and, per group band, the committed offset its glyph marks (from the titles). */
function lanesShown(page) {
  return page.$$eval('[data-testid=partition-diagram] li.lane', (lanes) => lanes.map((lane) => {
    const end = Number(/end (\d+)/.exec(lane.querySelector('.lane-label small').textContent)[1]);
    const committed = {};
    for (const mark of lane.querySelectorAll('.mark')) {
      const [, group, offset] = /^(.+) committed offset (\d+)$/.exec(mark.getAttribute('title'));
      committed[group] = Number(offset);
    }
    return { end, committed };
  }));
}

async function stream(page, rate) {
  const field = page.getByTestId('produce-rate');
  await field.fill(String(rate));
  await field.blur();
}

async function pause(page) {
  if ((await page.getByTestId('timeline-play').textContent()).includes('Pause')) {
    await page.getByTestId('timeline-play').click();
  }
}

test('a second group reads every partition on its own, and a reset to earliest replays the log', async () => {
  const page = await openPartitions(shared.site.url);
  await page.getByTestId('add-consumer').click();
  await page.getByTestId('add-consumer').click();
  await stream(page, 5);
  await page.getByTestId('add-group').click();
  await page.getByTestId('group-billing').waitFor();
  assert.equal(await page.getByTestId('selected-group').textContent(), 'billing');
  await page.getByTestId('consumer-consumer-3').waitFor();

  // Both groups catch up with every partition: each has its own committed offset on every lane.
  await page.waitForFunction((n) => {
    const lanes = [...document.querySelectorAll('[data-testid=partition-diagram] li.lane')];
    return lanes.length === n && lanes.every((lane) => {
      const end = /end (\d+)/.exec(lane.querySelector('.lane-label small').textContent)[1];
      const marks = [...lane.querySelectorAll('.mark')].map((m) => m.getAttribute('title'));
      return end > 0 && marks.includes(`order-readers committed offset ${end}`) && marks.includes(`billing committed offset ${end}`);
    });
  }, PARTITIONS, { timeout: 30_000 });
  // Lines: order-readers' two consumers own three partitions each, billing's one consumer all six.
  assert.equal(await page.locator('path.link.g0').count(), PARTITIONS);
  assert.equal(await page.locator('path.link.g1').count(), PARTITIONS);
  assert.match(await page.getByTestId('diagram-summary').textContent(), /2 groups each read every partition on their own/);

  // Reset billing to earliest: its lag is the whole log at once, then falls as it reads again.
  await pause(page);
  await page.getByTestId('reset-offsets').click();
  await page.getByTestId('consumer-consumer-4').waitFor();
  const lanes = await lanesShown(page);
  const whole = lanes.reduce((sum, lane) => sum + lane.end, 0);
  const lagText = async () => Number(/lag (\d+)/.exec(await page.getByTestId('group-status-billing').textContent())[1]);
  assert.equal(await lagText(), whole);
  assert.ok(lanes.every((lane) => lane.committed.billing === 0 && lane.committed['order-readers'] === lane.end));
  await page.getByTestId('timeline-play').click();
  await page.waitForFunction((total) => {
    const lag = Number(/lag (\d+)/.exec(document.querySelector('[data-testid=group-status-billing]').textContent)[1]);
    return lag < total;
  }, whole, { timeout: 20_000 });

  // Removing billing takes its band, lines and marks away; order-readers reads on.
  await page.getByTestId('remove-group-billing').click();
  await page.getByTestId('group-billing').waitFor({ state: 'detached' });
  assert.equal(await page.locator('path.link.g1').count(), 0);
  assert.equal(await page.locator('.mark.g1').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a crashed consumer is a ghost holding its partitions until its session expires', async () => {
  const page = await openPartitions(shared.site.url);
  for (let i = 0; i < 2; i++) await page.getByTestId('add-consumer').click();
  await page.waitForFunction(() => document.querySelectorAll('.consumer.busy').length === 2, null, { timeout: 20_000 });
  await page.getByTestId('crash-consumer').click();
  await page.locator('[data-testid=consumer-consumer-2].crashed').waitFor();
  assert.match(await page.getByTestId('consumer-consumer-2').textContent(), /crashed · keeps P3 P4 P5 until \d+\.\d s/);
  assert.equal(await page.locator('path.link.ghost').count(), 3);
  assert.match(await page.getByTestId('diagram-summary').textContent(),
    /consumer-2 of order-readers crashed; its partitions P3 P4 P5 wait for its session to expire at \d+\.\d s\./);
  // session.timeout.ms (45 s simulated): then the ghost goes and consumer-1 owns all six.
  await page.getByTestId('consumer-consumer-2').waitFor({ state: 'detached', timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('path.link.g0:not(.ghost)').length === 6, null, { timeout: 20_000 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the diagram moves while running, stands still when paused, and reduced motion shows the same states', async () => {
  const page = await openPartitions(shared.site.url);
  await page.getByTestId('add-consumer').click();
  await stream(page, 20);
  await page.locator('[data-testid=record]').nth(10).waitFor();
  const diagram = page.getByTestId('partition-diagram');
  const first = await diagram.screenshot();
  await page.waitForTimeout(400);
  assert.notDeepEqual(await diagram.screenshot(), first, 'records arrive while running');

  await pause(page);
  await page.waitForTimeout(1_000); // the last records land and slide into place
  const still = await diagram.screenshot();
  await page.waitForTimeout(600);
  assert.deepEqual(await diagram.screenshot(), still, 'nothing moves while paused');

  // The same moment through its link, with motion reduced: the same lanes, marks and consumers, and no
  // animation or transition on the records.
  const text = await diagram.innerText();
  const reduced = await openPage(shared.browser, 'about:blank');
  await reduced.emulateMedia({ reducedMotion: 'reduce' });
  await reduced.goto(page.url());
  await reduced.getByTestId('partition-diagram').waitFor();
  await pause(reduced);
  await reduced.waitForFunction((expected) => document.querySelector('[data-testid=partition-diagram]').innerText === expected,
    text, { timeout: 10_000 }).catch(() => {});
  assert.equal(await reduced.getByTestId('partition-diagram').innerText(), text);
  const motion = await reduced.locator('[data-testid=record]').first().evaluate((el) => {
    const style = getComputedStyle(el);
    return [style.animationName, style.transitionDuration];
  });
  assert.deepEqual(motion, ['none', '0s']);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(reduced.problems, []);
  await reduced.close();
  await page.close();
});

test('a lane too fast to follow record by record is drawn as a stream with its rate', async () => {
  const page = await openPartitions(shared.site.url);
  await stream(page, 1000);
  // 1,000 records a second over six partitions: about 167 a second in each, far more than a frame shows.
  await page.getByTestId('stream-0').waitFor({ timeout: 20_000 });
  const text = await page.getByTestId('stream-0').textContent();
  const [, rate] = /≈ (\d+) records\/s · newest offset \d+/.exec(text) ?? [];
  assert.ok(Number(rate) > 60 && Number(rate) < 400, text);
  assert.equal(await page.locator('[data-testid=partition-0] [data-testid=record]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/** Pixels of `diagram` change after `act` while the view plays, and stand still once it is paused. */
async function movesThenStands(page, diagram, act) {
  const before = await diagram.screenshot();
  await act();
  await page.waitForTimeout(250);
  assert.notDeepEqual(await diagram.screenshot(), before, 'the diagram changes');
  await pause(page);
  await page.waitForTimeout(1_000);
  const still = await diagram.screenshot();
  await page.waitForTimeout(500);
  assert.deepEqual(await diagram.screenshot(), still, 'nothing moves while paused');
}

test('the replication and log diagrams change as records are written and stand still when paused', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-replication').click();
  await page.getByTestId('replication-diagram').waitFor();
  await movesThenStands(page, page.getByTestId('replication-diagram'), () => page.getByTestId('produce-replicated').click());
  // Followers fetched the five records: every replica column holds them below the high watermark.
  assert.equal(await page.locator('.replica-record:not(.uncommitted)').count(), 15);

  await page.getByTestId('view-retention').click();
  await page.getByTestId('log-diagram').waitFor();
  await movesThenStands(page, page.getByTestId('log-diagram'), () => page.getByTestId('produce-many').click());
  assert.equal(await page.locator('[data-testid=log-diagram] .slot.record').count(), 10);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an embed plays a stretch of the timeline on repeat', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?embed=replication&loop=1000..3000`);
  await page.getByTestId('replication-diagram').waitFor();
  const moments = [];
  for (let i = 0; i < 12; i++) {
    moments.push(Number(/^(\d+\.\d) s of/.exec(await page.getByTestId('moment').textContent())?.[1]));
    await page.waitForTimeout(100);
  }
  // Playing at 10×, two simulated seconds take a fifth of a real second: the moment stays in the stretch
  // and comes back to its start.
  assert.ok(moments.every((m) => m >= 1 && m < 3), JSON.stringify(moments));
  assert.ok(moments.some((m, i) => i > 0 && m < moments[i - 1]), `it went back: ${JSON.stringify(moments)}`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('keyless records stick to one partition until batch.size bytes went to it, as kplay world says', async () => {
  // 600 keyless 200-byte records in one burst (KIP-794: the partition switches once a batch.size's worth
  // of bytes went to it and its open batch is complete), opened from a link, drawn in the lanes with the
  // log ends the CLI prints.
  const script = JSON.stringify({
    version: 1, seed: 0, brokers: 1,
    topics: [{ name: 'orders', partitions: 6, replication_factor: 1 }],
    actions: [{ at_ms: 0, do: 'produce', topic: 'orders', key: null, value_bytes: 200, count: 600 }],
  });
  const packed = `1.${deflateRawSync(Buffer.from(script)).toString('base64url')}`;
  const page = await openPage(shared.browser, `${shared.site.url}?view=partitions&w=${packed}&at=1000`);
  await page.getByTestId('partition-diagram').waitFor();
  const expected = JSON.parse(kplay(['world', '-', '--at-ms', '1000'], script)).topics.orders.partitions.map((p) => p.log_end_offset);
  await page.waitForFunction((ends) => [...document.querySelectorAll('[data-testid=partition-diagram] li.lane .lane-label small')]
    .map((l) => Number(/end (\d+)/.exec(l.textContent)[1])).join() === ends.join(), expected, { timeout: 10_000 });
  // Runs, not a spread: a 200-byte record takes 209 bytes (210 from the 65th of a batch), so a 16 KB batch
  // holds 78, and the partition switches every second batch (RecordAccumulator.partitionChanged): runs
  // of 156, the last one 600 − 3 × 156 = 132. A partition drawn twice holds two runs.
  const partial = expected.filter((n) => n % 156 !== 0);
  assert.deepEqual(partial.map((n) => n % 156), [132], JSON.stringify(expected));
  assert.ok(expected.includes(0), JSON.stringify(expected));
  assert.equal(expected.reduce((a, b) => a + b, 0), 600);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a static consumer that stops and comes back within its session keeps its partitions, no rebalance', async () => {
  const page = await openPartitions(shared.site.url);
  await page.getByTestId('static-members').check();
  await page.getByTestId('add-consumer').click();
  await page.getByTestId('add-consumer').click();
  const status = page.getByTestId('group-status-order-readers');
  await status.filter({ hasText: /^generation 1 · Stable/ }).waitFor({ timeout: 20_000 });
  const owned = await page.getByTestId('consumer-consumer-2').textContent();
  assert.match(owned, /consumer-2static● P3 P4 P5/);
  // It stops: a static member sends no LeaveGroup, so nothing moves and the group stays at generation 1.
  await page.getByTestId('remove-consumer').click();
  await page.locator('[data-testid=consumer-consumer-2].crashed').waitFor();
  assert.match(await page.getByTestId('consumer-consumer-2').textContent(), /stopped \(static\) · keeps P3 P4 P5 until/);
  await page.getByTestId('rejoin-consumer').click();
  await page.locator('[data-testid=consumer-consumer-2].busy').waitFor();
  assert.equal(await page.getByTestId('consumer-consumer-2').textContent(), owned);
  assert.match(await status.textContent(), /^generation 1 · Stable/);
  assert.match(await page.getByTestId('notice').textContent(), /does not rebalance/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
