// The sync-vs-event view of the built site: every preset run to the end through the UI shows the numbers
// `kplay simulate --preset NAME` reports for the same seed.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT, kplay, openPage, useSiteAndBrowser, waitForRunStatus } from './support.mjs';

const shared = useSiteAndBrowser();

const presets = kplay(['presets']).trim().split('\n').map((line) => line.split(/\s+/)[0]);

test('the app opens on the sync-vs-event view with every control', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  for (const id of ['view-sync-vs-event', 'view-partitions', 'preset-select', 'rate-input', 'partitions-input',
    'run-toggle', 'step', 'speed', 'headline-sync-ms', 'headline-event-ms', 'latency-chart', 'lag-chart']) {
    await page.getByTestId(id).waitFor();
  }
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'sync-vs-async');
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  // Play for a moment at 10× (the preset's 2 minutes would be over in 0.1 s at 1000×): orders appear.
  await page.getByTestId('speed').selectOption('10');
  await page.getByTestId('run-toggle').click();
  await page.waitForFunction(() => /\b[1-9]\d* accepted/.test(document.querySelector('[data-testid=event-accepted]').textContent));
  await page.getByTestId('run-toggle').click();
  // The status is re-rendered after the click is handled; a timeout here means the run did not pause.
  await waitForRunStatus(page, /^paused/);
  assert.match(await page.getByTestId('run-status').textContent(), /^paused/);
  await page.getByTestId('view-partitions').click();
  await page.getByTestId('partition-count').waitFor();
  await page.getByTestId('view-sync-vs-event').click();
  await page.getByTestId('preset-select').waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

for (const preset of presets) {
  test(`preset ${preset}: the numbers shown equal kplay simulate`, async () => {
    const expected = JSON.parse(kplay(['simulate', '--preset', preset]));
    const page = await openPage(shared.browser, shared.site.url);
    await page.getByTestId('preset-select').selectOption(preset);
    await page.getByTestId('preset-watch').waitFor();
    await page.getByTestId('finish').click();
    await waitForRunStatus(page, /^finished/, 60_000);
    const shown = async (id) => Number(await page.getByTestId(id).textContent());
    assert.ok(Math.abs((await shown('headline-sync-ms')) - expected.sync.response_ms.mean) <= 0.05, 'sync wait');
    assert.ok(Math.abs((await shown('headline-event-ms')) - expected.event_driven.response_ms.mean) <= 0.05, 'event wait');
    assert.equal(await page.getByTestId('sync-succeeded').textContent(), `${expected.sync.succeeded} succeeded`);
    assert.equal(await page.getByTestId('sync-failed').textContent(), `${expected.sync.failed} failed`);
    assert.equal(await page.getByTestId('event-accepted').textContent(), `${expected.event_driven.accepted} accepted`);
    if (preset === 'kafka-vs-queue') {
      // The consumer group dead-letters each poison order; the share group archives it at its fifth delivery.
      const services = expected.event_driven.services;
      assert.ok(services['share-group'].archived > 0);
      assert.match(await page.getByTestId('hop-consumer-group').textContent(),
        new RegExp(` ${services['consumer-group'].dead_lettered} dead-lettered`));
      assert.ok((await page.getByTestId('hop-share-group').textContent())
        .includes(` 0 dead-lettered · ${services['share-group'].archived} archived after 5 deliveries (share group)`));
    }
    if (preset === 'inventory-outage') {
      const artifacts = join(ROOT, 'tests', 'e2e', 'artifacts');
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'inventory-outage.png'), await page.screenshot({ fullPage: true }));
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('typing an order rate while the simulation runs is not overwritten', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('speed').selectOption('10');
  await page.getByTestId('run-toggle').click();
  const rate = page.getByTestId('rate-input');
  await rate.fill('120');
  await page.waitForTimeout(500); // about 30 frames of the running simulation
  assert.equal(await rate.inputValue(), '120');
  await rate.blur();
  await waitForRunStatus(page, /^ready/);
  assert.equal(await rate.inputValue(), '120');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the order flow steps back and scrubs: each moment shows the numbers the run had there', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('inventory-outage');
  await page.getByTestId('preset-watch').waitFor();
  const numbersAt = async (shown, seconds) => {
    await shown.getByTestId('moment').filter({ hasText: new RegExp(`^${seconds}\\.0 s of`) }).waitFor();
    return Promise.all(['sync-succeeded', 'sync-failed', 'event-accepted', 'headline-event-ms']
      .map((id) => shown.getByTestId(id).textContent()));
  };
  const at = (seconds) => numbersAt(page, seconds);
  const seen = [];
  for (let s = 1; s <= 4; s++) {
    await page.getByTestId('step').click();
    seen.push(await at(s));
  }
  assert.notDeepEqual(seen[0], seen[3], 'the run moved');
  await page.getByTestId('step-back').click();
  assert.deepEqual(await at(3), seen[2]);
  await page.getByTestId('timeline').fill('1000');
  assert.deepEqual(await at(1), seen[0]);
  // Run to the end, then back to 2 s: the finished run opens again there.
  await page.getByTestId('finish').click();
  await waitForRunStatus(page, /^finished/);
  await page.getByTestId('timeline').fill('2000');
  assert.deepEqual(await at(2), seen[1]);
  assert.match(await page.getByTestId('run-status').textContent(), /^paused · 2\.0 s/);
  // The address carries the moment: a fresh page opened on it shows the same numbers, paused there.
  await page.waitForURL(/[?&]at=2000\b/);
  const fresh = await openPage(shared.browser, page.url());
  assert.deepEqual(await numbersAt(fresh, 2), seen[1]);
  assert.match(await fresh.getByTestId('run-status').textContent(), /^paused · 2\.0 s/);
  // The autosave keeps it too: the app opened again without a link is back at 2 s.
  await page.goto(new URL(page.url()).origin + new URL(page.url()).pathname);
  assert.deepEqual(await at(2), seen[1]);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(fresh.problems, []);
  await Promise.all([page.close(), fresh.close()]);
});
