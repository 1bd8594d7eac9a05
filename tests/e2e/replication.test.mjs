// The replication view: a world on a timeline. acks, min.insync.replicas and broker failures behave as
// Kafka's do, and every moment can be revisited, forked, linked and exported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

async function openReplication() {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-replication').click();
  await page.getByTestId('broker-2').waitFor();
  await page.getByTestId('timeline-play').click();
  return page;
}

/** Waits until the counts line matches `pattern` and returns it. */
async function counts(page, pattern) {
  const line = page.getByTestId('replication-counts').filter({ hasText: pattern });
  await line.waitFor();
  return line.textContent();
}

test('acks=all is refused once the ISR is below min.insync.replicas and retried; acks=1 is not; the timeline forks and undoes', async () => {
  const page = await openReplication();
  await page.getByTestId('timeline').fill('0');
  await page.getByTestId('moment').filter({ hasText: /^0\.0 s of/ }).waitFor();
  await page.getByTestId('step').click();
  await page.getByTestId('moment').filter({ hasText: /^1\.0 s of/ }).waitFor();
  await page.getByTestId('produce-replicated').click();
  // acks=all: acknowledged once both followers fetched them.
  await counts(page, /^5 produced · 0 acknowledged/);
  await page.getByTestId('step').click();
  await counts(page, /^5 produced · 5 acknowledged · 0 retrying · 0 failed/);
  await page.getByTestId('kill-broker-1').click();
  await page.getByTestId('kill-broker-2').click();
  await page.getByTestId('produce-replicated').click();
  await page.getByTestId('replication-message').filter({ hasText: /^NOT_ENOUGH_REPLICAS/ }).waitFor();
  // NOT_ENOUGH_REPLICAS is retriable: the producer retries (until delivery.timeout.ms).
  await counts(page, /^10 produced · 5 acknowledged · 5 retrying · 0 failed/);
  await page.getByTestId('acks-select').selectOption('1');
  await page.getByTestId('produce-replicated').click();
  const shown = await counts(page, /^15 produced · 10 acknowledged · 5 retrying · 0 failed/);

  // Back to 1.5 s: one batch, acknowledged, every broker up. Stalling one there forks; undo brings the
  // later actions back.
  await page.getByTestId('timeline').fill('1500');
  await counts(page, /^5 produced · 5 acknowledged · 0 retrying · 0 failed/);
  await page.getByTestId('kill-broker-1').waitFor();
  await page.getByTestId('stall-broker-2').click();
  await page.getByTestId('fork-notice').waitFor();
  await page.getByTestId('undo-fork').click();
  await page.getByTestId('fork-notice').waitFor({ state: 'detached' });
  await page.getByTestId('timeline').fill('2000');
  assert.equal(await counts(page, /^15 produced/), shown);

  // A fresh page on the link shows the same numbers; kplay world on the exported script agrees.
  await page.waitForFunction(() => new URL(location.href).searchParams.get('at') === '2000');
  const fresh = await openPage(shared.browser, page.url());
  assert.equal(await counts(fresh, /^15 produced/), shown);
  const [file] = await Promise.all([fresh.waitForEvent('download'), fresh.getByTestId('export-world').click()]);
  const state = JSON.parse(kplay(['world', '-', '--at-ms', '2000'], readFileSync(await file.path(), 'utf8')));
  const acknowledged = state.produced.filter((p) => p.status === 'acknowledged').length;
  const retrying = state.produced.filter((p) => p.status === 'retrying').length;
  const failed = state.produced.filter((p) => p.status === 'failed').length;
  assert.match(shown, new RegExp(`^${state.produced.length} produced · ${acknowledged} acknowledged · ${retrying} retrying · ${failed} failed`));
  assert.deepEqual(fresh.problems, []);
  assert.deepEqual(page.problems, []);
  await fresh.close();
  await page.close();
});

test('acks=1 writes the leader never replicated are lost when it fails', async () => {
  const page = await openReplication();
  await page.getByTestId('acks-select').selectOption('1');
  await page.getByTestId('stall-broker-1').click();
  await page.getByTestId('broker-1').filter({ hasText: /not fetching/ }).waitFor();
  await page.getByTestId('stall-broker-2').click();
  await page.getByTestId('broker-2').filter({ hasText: /not fetching/ }).waitFor();
  await page.getByTestId('produce-replicated').click();
  await counts(page, /^5 produced · 5 acknowledged/);
  // The diagram: five records on the leader above the high watermark (dashed), none on the followers.
  assert.equal(await page.locator('[data-testid=broker-0] .replica-record.uncommitted').count(), 5);
  assert.equal(await page.locator('[data-testid=broker-1] .replica-record').count(), 0);
  await page.getByTestId('kill-broker-0').click();
  await page.getByTestId('lost-writes').filter({ hasText: /^5 acknowledged write\(s\) lost/ }).waitFor();
  assert.match(await page.getByTestId('broker-1').textContent(), /leader · epoch 1/);
  // The lost writes are struck through where they still are: on the failed leader's replica.
  assert.equal(await page.locator('[data-testid=broker-0] .replica-record.lost').count(), 5);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('changing the cluster shape starts a new world; nonsense is refused with the field named', async () => {
  const page = await openReplication();
  await page.getByTestId('brokers-input').fill('5');
  await page.getByTestId('brokers-input').press('Enter');
  await page.getByTestId('broker-4').waitFor();
  assert.match(await page.getByTestId('notice').textContent(), /A new cluster: 5 broker\(s\)/);
  await page.getByTestId('replication-factor-input').fill('9');
  await page.getByTestId('replication-factor-input').press('Enter');
  assert.match(await page.getByTestId('notice').filter({ hasText: /Replication factor/ }).textContent(), /not a whole number from 1 to 5/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
