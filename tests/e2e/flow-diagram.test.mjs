// The order-flow diagram of the landing view: it moves while orders run and stands still when paused, and
// at any moment it draws what `kplay simulate --at-ms T --picture` says: an outage fails the synchronous
// orders at once while the Kafka pipeline piles the service's records up, then drains them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kplay, openPage, useSiteAndBrowser, waitForRunStatus } from './support.mjs';

const shared = useSiteAndBrowser();

test('the order-flow diagram moves while orders run and stands still when paused', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  const diagram = page.getByTestId('flow-diagram');
  await diagram.waitFor();
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('run-toggle').click();
  // Orders wait on the chain: the user's timer is shown.
  await page.waitForFunction(() => /^[1-9]\d* waiting/.test(document.querySelector('[data-testid=flow-sync-waiting]').textContent));
  const first = await diagram.screenshot();
  await page.waitForTimeout(400);
  assert.notDeepEqual(await diagram.screenshot(), first, 'orders move while running');

  await page.getByTestId('run-toggle').click();
  await waitForRunStatus(page, /^paused/);
  await page.waitForTimeout(1_000); // the last flights land
  const still = await diagram.screenshot();
  await page.waitForTimeout(600);
  assert.deepEqual(await diagram.screenshot(), still, 'nothing moves while paused');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an outage fails synchronous orders and piles a backlog in Kafka, as kplay simulate --picture says, then drains', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('inventory-outage');
  await page.getByTestId('preset-watch').waitFor();
  await page.getByTestId('finish').click();
  await waitForRunStatus(page, /^finished/);
  const pictureAt = (ms) => JSON.parse(kplay(['simulate', '--preset', 'inventory-outage', '--at-ms', String(ms), '--picture']));
  const shownAt = async (ms) => {
    await page.getByTestId('timeline').fill(String(ms));
    await page.getByTestId('moment').filter({ hasText: new RegExp(`^${ms / 1000}\\.0 s of`) }).waitFor();
    const group = await page.getByTestId('flow-group-inventory').textContent();
    return {
      lag: Number(/lag (\d+)/.exec(group)[1]),
      hop: await page.getByTestId('flow-hop-inventory').textContent(),
      waiting: await page.getByTestId('flow-sync-waiting').textContent(),
      summary: await page.getByTestId('flow-summary').textContent(),
      legend: await page.getByTestId('flow-legend').textContent(),
    };
  };

  // Ten minutes into the outage (it runs from 300 s to 900 s).
  const during = await shownAt(600_000);
  const expected = pictureAt(600_000);
  const inventory = expected.event.groups[0];
  assert.equal(inventory.name, 'inventory');
  assert.equal(during.lag, inventory.lag);
  assert.ok(inventory.lag > 20_000, `${inventory.lag} records wait for inventory`);
  assert.match(during.hop, /down/);
  assert.match(during.hop, new RegExp(`✗ ${expected.sync.hops[0].failed_calls} failed call`));
  assert.equal(during.waiting, `${expected.sync.waiting} waiting`);
  assert.match(during.summary, /^inventory is down: the synchronous chain fails every order that calls it/);
  // A dot stands for many orders here, and no partition's pile outgrows its five dots.
  const size = Number(/= (\d+) orders?/.exec(during.legend)[1]);
  assert.ok(size > 1, during.legend);
  assert.ok(inventory.columns.every((lag) => Math.ceil(lag / size) <= 5), `${size}: ${inventory.columns}`);

  // The outage is over: the backlog is at its peak, then drains while the service is up.
  const over = await shownAt(900_000);
  const later = await shownAt(960_000);
  assert.equal(over.lag, pictureAt(900_000).event.groups[0].lag);
  assert.ok(later.lag < over.lag, `${later.lag} < ${over.lag}`);
  assert.doesNotMatch(later.hop, /down/);
  assert.match(later.summary, /^inventory works through a backlog\.|^Every service keeps up\./);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('with reduced motion the order-flow diagram draws the same moment without flying or flashing', async () => {
  const page = await openPage(shared.browser, 'about:blank');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${shared.site.url}?preset=inventory-outage&at=600000`);
  await page.getByTestId('flow-diagram').waitFor();
  await page.getByTestId('flow-group-inventory').filter({ hasText: /lag [1-9]/ }).waitFor();
  await page.getByTestId('moment').filter({ hasText: /^600\.0 s of/ }).waitFor();
  // Query and read in one step: between two steps a new frame may replace the elements (a detached
  // element has no computed style).
  const motion = await page.evaluate(() => [...document.querySelectorAll(
    '[data-testid=flow-diagram] .flight, [data-testid=flow-diagram] .flash',
  )].map((el) => getComputedStyle(el).animationName));
  assert.ok(motion.length > 0);
  assert.ok(motion.every((name) => name === 'none'), motion.join());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('record-clip saves the running diagram as a WebM video, fetching the recorder only when asked', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  const fetched = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await page.getByTestId('flow-diagram').waitFor();
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('run-toggle').click();
  await page.waitForTimeout(500);
  assert.ok(!fetched.some((path) => path.endsWith('/record-clip.js')), 'the recorder is not part of the first load');

  await page.getByTestId('record-clip').click();
  await page.getByTestId('record-clip-status').filter({ hasText: /^recording [1-9]/ }).waitFor({ timeout: 10_000 });
  const saved = page.waitForEvent('download');
  await page.getByTestId('record-clip').click();
  const download = await saved;
  assert.equal(download.suggestedFilename(), 'kplay-flow-diagram.webm');
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  const video = Buffer.concat(chunks);
  assert.ok(video.length > 1_000, `${video.length} bytes`);
  assert.equal(video.subarray(0, 4).toString('hex'), '1a45dfa3', 'a WebM (EBML) file');
  await page.getByTestId('record-clip-status').filter({ hasText: 'saved kplay-flow-diagram.webm' }).waitFor();
  assert.ok(fetched.some((path) => path.endsWith('/record-clip.js')));
  assert.deepEqual(page.problems, []);
  await page.close();
});
