// The replication view: acks, min.insync.replicas and broker failures behave as Kafka's do.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

async function openReplication() {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('view-replication').click();
  await page.getByTestId('broker-2').waitFor();
  return page;
}

test('acks=all is refused once the ISR is below min.insync.replicas; acks=1 is not', async () => {
  const page = await openReplication();
  await page.getByTestId('produce-replicated').click();
  assert.match(await page.getByTestId('replication-counts').textContent(), /^5 produced · 5 acknowledged · 0 refused/);
  await page.getByTestId('kill-broker-1').click();
  await page.getByTestId('kill-broker-2').click();
  await page.getByTestId('produce-replicated').click();
  assert.match(await page.getByTestId('replication-message').textContent(), /^NOT_ENOUGH_REPLICAS/);
  assert.match(await page.getByTestId('replication-counts').textContent(), /^10 produced · 5 acknowledged · 5 refused/);
  await page.getByTestId('acks-select').selectOption('1');
  await page.getByTestId('produce-replicated').click();
  assert.match(await page.getByTestId('replication-counts').textContent(), /^15 produced · 10 acknowledged/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('acks=1 writes the leader never replicated are lost when it fails', async () => {
  const page = await openReplication();
  await page.getByTestId('acks-select').selectOption('1');
  await page.getByTestId('stall-broker-1').click();
  await page.getByTestId('stall-broker-2').click();
  await page.getByTestId('produce-replicated').click();
  await page.getByTestId('kill-broker-0').click();
  assert.match(await page.getByTestId('lost-writes').textContent(), /^5 acknowledged write\(s\) lost/);
  assert.match(await page.getByTestId('broker-1').textContent(), /leader/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
