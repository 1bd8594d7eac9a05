// The consumer group of the partition view: owners shown agree with `kplay assign`, crashes are noticed
// after the session timeout, and switching the assignor reassigns as that assignor does.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();
const PARTITIONS = 6;

/** The owner shown for each partition, once every partition has one (or `expectNone` are without). */
async function ownersShown(page, expectNone = 0) {
  await page.waitForFunction(
    ([n, none]) => [...Array(n).keys()].filter((p) =>
      document.querySelector(`[data-testid=owner-${p}]`).textContent.startsWith('no consumer')).length === none,
    [PARTITIONS, expectNone],
    { timeout: 20_000 },
  );
  const owners = [];
  for (let p = 0; p < PARTITIONS; p++) {
    owners.push((await page.getByTestId(`owner-${p}`).textContent()).replace(/lag (\d+|-)$/, '').trim());
  }
  return owners;
}

/** What `kplay assign` gives these members, as partition → member. */
function assignedByCli(strategy, members) {
  const input = JSON.stringify({
    strategy,
    topics: { orders: PARTITIONS },
    members: members.map((id) => ({ id, topics: ['orders'] })),
  });
  const { assignment } = JSON.parse(kplay(['assign'], input));
  const owners = Array(PARTITIONS).fill(null);
  for (const [member, partitions] of Object.entries(assignment)) {
    for (const [, p] of partitions) owners[p] = member;
  }
  return owners;
}

test('consumers added through the UI own what the range assignor gives them', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  for (let i = 0; i < 3; i++) await page.getByTestId('add-consumer').click();
  for (const id of ['consumer-1', 'consumer-2', 'consumer-3']) await page.getByTestId(`consumer-${id}`).waitFor();
  const members = ['consumer-1', 'consumer-2', 'consumer-3'];
  assert.deepEqual(await ownersShown(page), assignedByCli('range', members));

  // A crash is noticed only after session.timeout.ms (45 s simulated, 4.5 s here): then consumer-3's
  // partitions move to the survivors.
  await page.getByTestId('crash-consumer').click();
  assert.deepEqual(await ownersShown(page, 2), assignedByCli('range', members).map((m) => (m === 'consumer-3' ? 'no consumer' : m)));
  assert.deepEqual(await ownersShown(page), assignedByCli('range', ['consumer-1', 'consumer-2']));
  assert.match(await page.getByTestId('rebalance-log').textContent(), /consumer-3-3's session expired/);

  // Members of a group must agree on the protocol: the two leave and two new consumers join with it.
  await page.getByTestId('assignor-select').selectOption('roundrobin');
  await page.getByTestId('consumer-consumer-5').waitFor();
  assert.deepEqual(await ownersShown(page), assignedByCli('roundrobin', ['consumer-4', 'consumer-5']));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('consumers beyond the partition count sit idle', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  const count = page.getByTestId('partition-count');
  await count.fill('2');
  await count.blur();
  for (let i = 0; i < 3; i++) await page.getByTestId('add-consumer').click();
  await page.waitForFunction(() => document.querySelectorAll('.consumer.idle').length === 1 &&
    document.querySelectorAll('.consumer.busy').length === 2, null, { timeout: 20_000 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('typing a partition count survives the clock ticking before it is committed', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  const count = page.getByTestId('partition-count');
  await count.fill('3');
  await page.waitForTimeout(500); // five ticks of the group's clock re-render the view meanwhile
  assert.equal(await count.inputValue(), '3');
  await count.blur();
  await page.getByTestId('partition-2').waitFor();
  assert.equal(await page.locator('li.lane').count(), 3);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('under the consumer protocol (KIP-848) the broker assigns and members reconcile on their own heartbeats', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-partitions').click();
  await page.getByTestId('assignor-select').selectOption('uniform');
  for (let i = 0; i < 2; i++) await page.getByTestId('add-consumer').click();
  for (const id of ['consumer-1', 'consumer-2']) await page.getByTestId(`consumer-${id}`).waitFor();
  const stable = () => page.waitForFunction(
    () => /^group epoch \d+ · Stable$/.test(document.querySelector('[data-testid=group-status]').textContent),
    null,
    { timeout: 20_000 },
  );
  await stable();
  // Fresh members of one subscription: the uniform assignor's first assignment, as `kplay assign` gives it.
  assert.deepEqual(await ownersShown(page), assignedByCli('uniform', ['consumer-1', 'consumer-2']));

  // A third member joins: each of the others revokes one partition on its own heartbeat and the newcomer
  // takes it on its own; nobody else stops, and the group is Stable at a later epoch.
  await page.getByTestId('add-consumer').click();
  await page.getByTestId('consumer-consumer-3').waitFor();
  await page.waitForFunction(() => /group epoch 3 · Stable$/.test(document.querySelector('[data-testid=group-status]').textContent),
    null, { timeout: 20_000 });
  const owners = await ownersShown(page);
  for (const id of ['consumer-1', 'consumer-2', 'consumer-3']) {
    assert.equal(owners.filter((o) => o.startsWith(id)).length, 2, `${id} owns two of ${owners}`);
  }
  assert.match(await page.getByTestId('rebalance-log').textContent(), /group epoch 3 \(consumer-3-\d+ joined\)/);
  assert.match(await page.locator('[data-testid^=group-status-]').first().textContent(),
    /^group epoch 3 · Stable · uniform \(consumer protocol\)/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the rebalance-storm example: only fewer records per poll stops it, as kplay world says', async () => {
  const at = 900_000;
  const cli = JSON.parse(kplay(['world', '--at-ms', String(at), 'examples/rebalance-storm.json']));
  const page = await openPage(shared.browser, `${shared.site.url}?example=rebalance-storm&at=${at}`);
  const board = page.getByTestId('group-scoreboard');
  await board.waitFor({ timeout: 30_000 });
  const cell = (group, col) => page.locator(`[data-testid=scoreboard-${group}] [data-col=${col}]`).textContent();
  const seconds = (ms) => `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)} s`;
  for (const [group, g] of Object.entries(cli.groups)) {
    const committed = Object.values(g.offsets.orders ?? {}).reduce((sum, o) => sum + (o.committed ?? 0), 0);
    const paused = Object.values(g.members).reduce((sum, m) => sum + m.paused_ms, 0);
    assert.equal(await cell(group, 'poll-timeouts'), String(g.poll_timeouts), group);
    assert.equal(await cell(group, 'failed-commits'), String(g.failed_commits), group);
    assert.equal(await cell(group, 'delivered'), String(g.delivered), group);
    assert.equal(await cell(group, 'redelivered'), String(g.redelivered), group);
    assert.equal(await cell(group, 'committed'), String(committed), group);
    assert.equal(await cell(group, 'paused'), seconds(paused), group);
    assert.equal(await cell(group, 'rebalancing'), seconds(g.rebalancing_ms), group);
  }
  // The claim the example makes: the storm stops only for the group with fewer records per poll.
  assert.equal(await cell('fewer-records', 'poll-timeouts'), '0');
  for (const group of ['as-is', 'static', 'cooperative', 'consumer-protocol']) {
    assert.equal(await cell(group, 'committed'), '0', group);
    assert.notEqual(await cell(group, 'poll-timeouts'), '0', group);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the share-group example: key order lost, a crashed consumer\'s locked records hold the SPSO back, as kplay world says', async () => {
  // At 20 s the crashed share consumer still holds its records' locks (30 s): the SPSO waits behind them.
  const at = 20_000;
  const cli = JSON.parse(kplay(['world', '--at-ms', String(at), 'examples/share-group.json']));
  const page = await openPage(shared.browser, `${shared.site.url}?example=share-group&at=${at}`);
  await page.getByTestId('group-scoreboard').waitFor({ timeout: 30_000 });
  const cell = (group, col) => page.locator(`[data-testid=scoreboard-${group}] [data-col=${col}]`).textContent();
  const queue = cli.share_groups['billing-queue'];
  const done = Object.values(queue.partitions.orders).reduce((sum, p) => sum + p.acknowledged + p.archived, 0);
  assert.equal(await cell('billing-queue', 'delivered'), String(queue.delivered));
  assert.equal(await cell('billing-queue', 'redelivered'), String(queue.redelivered));
  assert.equal(await cell('billing-queue', 'out-of-order'), String(queue.out_of_order));
  assert.equal(await cell('billing-queue', 'committed'), String(done));
  assert.equal(await cell('billing-queue', 'rebalances'), '–');
  assert.equal(await cell('billing', 'out-of-order'), '0');
  assert.ok(queue.out_of_order > 0);
  assert.ok(Object.values(queue.partitions.orders).some((p) => p.acquired > 0 && p.start_offset < p.end_offset));
  // Each lane shows the share-partition's start and end offsets (SPSO, SPEO) and the records in flight.
  for (const [p, sp] of Object.entries(queue.partitions.orders)) {
    assert.equal(await page.getByTestId(`share-billing-queue-${p}`).textContent(),
      `billing-queue: SPSO ${sp.start_offset} · SPEO ${sp.end_offset} · ${sp.acquired} acquired · ${sp.available} available`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
